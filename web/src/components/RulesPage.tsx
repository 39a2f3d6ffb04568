import type { Role, RulesView } from "@hub/contracts";
import { type Ref, useEffect, useState } from "react";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { useLive } from "./LiveContext";

export const RULES_ROLES: readonly Role[] = ["supervisor", "administrator"];

export const canSeeRules = (user: { roles: readonly Role[] }): boolean =>
  user.roles.some((role) => RULES_ROLES.includes(role));

/** The correlation rules, read-only, with the false alarms each raised in the last 7 and 30 days. */
export function RulesPage({ headingRef }: { headingRef: Ref<HTMLHeadingElement> }) {
  const { t, tOr, language, format } = useI18n();
  const { api, user } = useLive();
  const allowed = canSeeRules(user);
  const [rules, setRules] = useState<RulesView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!allowed) return;
    let cancelled = false;
    api
      .rules()
      .then((value) => {
        if (!cancelled) setRules(value);
      })
      .catch((failure: unknown) => {
        const { title, detail } = describeError(failure);
        if (!cancelled) setError(t("loadFailed", { detail: detail || title }));
      });
    return () => {
      cancelled = true;
    };
  }, [allowed, api, t]);

  const number = (value: number | null) => (value === null ? "–" : format.number(value));

  return (
    <main className="rules-page" id="rules" aria-labelledby="rules-heading">
      <section className="panel rules-panel">
        <h2 id="rules-heading" ref={headingRef} tabIndex={-1}>
          {t("rulesTitle")}
        </h2>
        {!allowed ? (
          <p>{t("rulesSupervisorOnly")}</p>
        ) : (
          <>
            <p className="muted">{t("rulesIntro")}</p>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            {!rules && !error && <p aria-busy="true">{t("loading")}</p>}
            {rules && (
              <table className="case-table" data-testid="rules-list">
                <caption className="visually-hidden">{t("rulesTitle")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("ruleId")}</th>
                    <th scope="col">{t("historyKind")}</th>
                    <th scope="col">{t("historyTitleColumn")}</th>
                    <th scope="col">{t("historySeverity")}</th>
                    <th scope="col">{t("ruleRadius")}</th>
                    <th scope="col">{t("ruleWindow")}</th>
                    <th scope="col">{t("ruleThreshold")}</th>
                    <th scope="col">{t("ruleFalseAlarms7d")}</th>
                    <th scope="col">{t("ruleFalseAlarms30d")}</th>
                  </tr>
                </thead>
                <tbody>
                  {rules.rules.map((rule) => (
                    <tr key={rule.id} data-testid="rule-row" data-rule-id={rule.id}>
                      <th scope="row">{rule.id}</th>
                      <td>{tOr(`kind_${rule.kind}`, rule.kind)}</td>
                      <td className="wrap" data-testid="rule-title">
                        {rule.titles[language]}
                      </td>
                      <td>{t(`severity_${rule.severity}`)}</td>
                      <td>{number(rule.radiusM)}</td>
                      <td>{number(rule.windowS)}</td>
                      <td>
                        {rule.silenceS !== null
                          ? t("ruleSilence", { seconds: format.number(rule.silenceS) })
                          : number(rule.minCount)}
                      </td>
                      <td data-testid="rule-false-7d">{format.number(rule.falseAlarms7d)}</td>
                      <td data-testid="rule-false-30d">{format.number(rule.falseAlarms30d)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </section>
    </main>
  );
}

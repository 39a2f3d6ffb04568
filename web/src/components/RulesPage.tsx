import type { Role, RulesView } from "@hub/contracts";
import { type Ref, useCallback, useEffect, useState } from "react";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { useLive } from "./LiveContext";
import { RuleEditor } from "./RuleEditor";

export const RULES_ROLES: readonly Role[] = ["supervisor", "administrator"];

export const canSeeRules = (user: { roles: readonly Role[] }): boolean =>
  user.roles.some((role) => RULES_ROLES.includes(role));

/**
 * The correlation rules with the false alarms each raised in the last 7 and 30 days, the version in force and
 * whether it is enabled; each rule opens its editor (versions, dry run, approval by a second person).
 */
export function RulesPage({ headingRef }: { headingRef: Ref<HTMLHeadingElement> }) {
  const { t, tOr, language, format } = useI18n();
  const { api, user } = useLive();
  const allowed = canSeeRules(user);
  const [rules, setRules] = useState<RulesView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const reload = useCallback(() => setReloads((n) => n + 1), []);

  useEffect(() => {
    if (!allowed) return;
    let cancelled = false;
    void reloads;
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
  }, [allowed, api, t, reloads]);
  const edited = rules?.rules.find((rule) => rule.id === editing);

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
                    <th scope="col">{t("ruleVersionColumn")}</th>
                    <th scope="col">{t("ruleEnabledColumn")}</th>
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
                      <td>
                        <span data-testid="rule-version-in-force">v{format.number(rule.ruleVersion)}</span>{" "}
                        <button
                          type="button"
                          className="button"
                          data-testid="rule-edit"
                          aria-expanded={editing === rule.id}
                          aria-controls="rule-editor"
                          onClick={() => setEditing(editing === rule.id ? null : rule.id)}
                        >
                          {t("ruleEdit", { id: rule.id })}
                        </button>
                        {rule.pendingVersions > 0 && (
                          <span className="muted" data-testid="rule-pending-badge">
                            {" "}
                            {t("rulePendingBadge", { count: format.number(rule.pendingVersions) })}
                          </span>
                        )}
                      </td>
                      <td data-testid="rule-enabled">{t(rule.enabled ? "ruleEnabledYes" : "ruleEnabledNo")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <div id="rule-editor">{edited && <RuleEditor key={edited.id} rule={edited} onChanged={reload} />}</div>
          </>
        )}
      </section>
    </main>
  );
}

import {
  RULE_DRY_RUN_MAX_HOURS,
  type RuleDryRun,
  type RuleHistory,
  type RuleVersionView,
  type RuleView,
  SEVERITIES,
} from "@hub/contracts";
import { type FormEvent, useCallback, useEffect, useId, useState } from "react";
import { describeError } from "../api";
import type { MessageKey } from "../i18n/en";
import { useI18n } from "../i18n/I18nProvider";
import { useLive } from "./LiveContext";

/** The numeric fields a rule's form has, in the order the editor shows them. */
const NUMBER_FIELDS: Record<string, readonly string[]> = {
  co_occurrence: ["radiusM", "windowS"],
  threshold: ["radiusM", "windowS", "minCount", "distinctSources", "minSpanS"],
  single: ["radiusM", "windowS"],
  absence: ["silenceS"],
};

type Outcome = { ok: boolean; text: string } | null;

/**
 * One rule's versions (issue 15): propose a change (thresholds, radius, window, severity, enabled) with a note; try
 * any version over the stored events of the last hours beside what the rule actually opened; approve or reject
 * another person's pending version; the history of who changed what.
 */
export function RuleEditor({ rule, onChanged }: { rule: RuleView; onChanged(): void }) {
  const { t, format } = useI18n();
  const { api, user } = useLive();
  const ids = { severity: useId(), enabled: useId(), note: useId(), hours: useId(), field: useId() };
  const [history, setHistory] = useState<RuleHistory | null>(null);
  const [draft, setDraft] = useState<Record<string, unknown>>(rule.definition);
  const [note, setNote] = useState("");
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [hours, setHours] = useState(24);
  const [dryRun, setDryRun] = useState<RuleDryRun | null>(null);
  const [running, setRunning] = useState<number | null>(null);

  const failed = useCallback(
    (failure: unknown) => {
      const { title, detail } = describeError(failure);
      setOutcome({ ok: false, text: t("ruleActionFailed", { detail: detail || title }) });
    },
    [t],
  );
  const load = useCallback(() => {
    api.ruleHistory(rule.id).then(setHistory).catch(failed);
  }, [api, rule.id, failed]);
  useEffect(load, [load]);
  useEffect(() => setDraft(rule.definition), [rule.definition]);

  const form = String(rule.definition.form);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setOutcome(null);
    api
      .proposeRuleVersion(rule.id, { definition: draft as never, changeNote: note })
      .then((created) => {
        setOutcome({ ok: true, text: t("ruleProposed", { version: format.number(created.version) }) });
        setNote("");
        load();
        onChanged();
      })
      .catch(failed);
  };
  const decide = (version: RuleVersionView, decision: "approve" | "reject") => {
    setOutcome(null);
    api
      .decideRuleVersion(rule.id, version.version, decision)
      .then(() => {
        setOutcome({
          ok: true,
          text: t(decision === "approve" ? "ruleApproved" : "ruleRejected", {
            version: format.number(version.version),
          }),
        });
        load();
        onChanged();
      })
      .catch(failed);
  };
  const tryVersion = (version: number) => {
    setOutcome(null);
    setDryRun(null);
    setRunning(version);
    api
      .dryRunRuleVersion(rule.id, version, hours)
      .then(setDryRun)
      .catch(failed)
      .finally(() => setRunning(null));
  };

  const pending = history?.versions.filter((version) => version.status === "pending") ?? [];
  const numberValue = (name: string) => (typeof draft[name] === "number" ? String(draft[name]) : "");

  return (
    <section className="rule-editor" aria-labelledby={`${ids.field}-heading`} data-testid="rule-editor">
      <h3 id={`${ids.field}-heading`}>{t("ruleEditorHeading", { id: rule.id })}</h3>
      <form className="camera-filters" onSubmit={submit} data-testid="rule-form">
        {(NUMBER_FIELDS[form] ?? []).map((name) => (
          <div className="field" key={name}>
            <label htmlFor={`${ids.field}-${name}`}>{t(`ruleField_${name}` as MessageKey)}</label>
            <input
              id={`${ids.field}-${name}`}
              data-testid={`rule-field-${name}`}
              type="number"
              min={0}
              step="any"
              value={numberValue(name)}
              onChange={(event) =>
                setDraft({
                  ...draft,
                  [name]: event.target.value === "" ? undefined : Number(event.target.value),
                })
              }
            />
          </div>
        ))}
        <div className="field">
          <label htmlFor={ids.severity}>{t("historySeverity")}</label>
          <select
            id={ids.severity}
            data-testid="rule-field-severity"
            value={String(draft.severity)}
            onChange={(event) => setDraft({ ...draft, severity: event.target.value })}
          >
            {SEVERITIES.map((severity) => (
              <option key={severity} value={severity}>
                {t(`severity_${severity}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field checkbox">
          <input
            id={ids.enabled}
            type="checkbox"
            data-testid="rule-field-enabled"
            checked={draft.enabled !== false}
            onChange={(event) => setDraft({ ...draft, enabled: event.target.checked })}
          />
          <label htmlFor={ids.enabled}>{t("ruleEnabled")}</label>
        </div>
        <div className="field">
          <label htmlFor={ids.note}>{t("ruleChangeNote")}</label>
          <input
            id={ids.note}
            data-testid="rule-change-note"
            value={note}
            required
            minLength={3}
            maxLength={500}
            onChange={(event) => setNote(event.target.value)}
          />
        </div>
        <div className="actions">
          <button type="submit" className="button primary" data-testid="rule-propose">
            {t("rulePropose")}
          </button>
        </div>
      </form>
      {outcome && (
        <p
          className={outcome.ok ? "maintenance-ok" : "error"}
          role={outcome.ok ? "status" : "alert"}
          data-testid="rule-outcome"
        >
          {outcome.text}
        </p>
      )}

      <div className="camera-filters">
        <div className="field">
          <label htmlFor={ids.hours}>{t("ruleDryRunHours", { max: format.number(RULE_DRY_RUN_MAX_HOURS) })}</label>
          <input
            id={ids.hours}
            type="number"
            data-testid="rule-dry-run-hours"
            min={1}
            max={RULE_DRY_RUN_MAX_HOURS}
            value={hours}
            onChange={(event) => setHours(Number(event.target.value))}
          />
        </div>
      </div>

      {history && (
        <table className="case-table" data-testid="rule-versions">
          <caption>{t("ruleVersionsCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("ruleVersion")}</th>
              <th scope="col">{t("ruleStatus")}</th>
              <th scope="col">{t("ruleChangeNote")}</th>
              <th scope="col">{t("ruleProposedBy")}</th>
              <th scope="col">{t("ruleDecidedBy")}</th>
              <th scope="col">{t("ruleActions")}</th>
            </tr>
          </thead>
          <tbody>
            {history.versions.map((version) => (
              <tr key={version.version} data-testid="rule-version" data-version={version.version}>
                <th scope="row">{format.number(version.version)}</th>
                <td data-testid="rule-version-status">{t(`ruleStatus_${version.status}`)}</td>
                <td className="wrap">{version.changeNote}</td>
                <td>
                  {version.proposedBy}
                  <br />
                  <span className="muted">{format.dateTime(version.proposedAt)}</span>
                </td>
                <td>
                  {version.decidedBy ?? "–"}
                  {version.decidedAt && (
                    <>
                      <br />
                      <span className="muted">{format.dateTime(version.decidedAt)}</span>
                    </>
                  )}
                </td>
                <td>
                  <div className="actions">
                    {(version.status === "pending" || version.status === "approved") && (
                      <button
                        type="button"
                        className="button"
                        data-testid="rule-dry-run"
                        disabled={running !== null}
                        aria-busy={running === version.version}
                        onClick={() => tryVersion(version.version)}
                      >
                        {t("ruleDryRun", { version: format.number(version.version) })}
                      </button>
                    )}
                    {version.status === "pending" &&
                      (version.proposedBy === user.username ? (
                        <span className="muted">{t("ruleAwaitsSecondPerson")}</span>
                      ) : (
                        <>
                          <button
                            type="button"
                            className="button primary"
                            data-testid="rule-approve"
                            onClick={() => decide(version, "approve")}
                          >
                            {t("ruleApprove", { version: format.number(version.version) })}
                          </button>
                          <button
                            type="button"
                            className="button"
                            data-testid="rule-reject"
                            onClick={() => decide(version, "reject")}
                          >
                            {t("ruleReject", { version: format.number(version.version) })}
                          </button>
                        </>
                      ))}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pending.length > 0 && (
        <p className="muted" data-testid="rule-pending">
          {t("rulePendingCount", { count: format.number(pending.length) })}
        </p>
      )}
      {dryRun && <DryRunResult result={dryRun} />}
    </section>
  );
}

/** Would-open beside opened, over the same window. */
function DryRunResult({ result }: { result: RuleDryRun }) {
  const { t, format } = useI18n();
  const table = (rows: RuleDryRun["opened"], caption: string, testId: string) => (
    <table className="case-table" data-testid={testId}>
      <caption>
        {caption} ({format.number(rows.length)})
      </caption>
      <thead>
        <tr>
          <th scope="col">{t("ruleFirstEvent")}</th>
          <th scope="col">{t("historySeverity")}</th>
          <th scope="col">{t("ruleEvidence")}</th>
          <th scope="col">{t("ruleVersion")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.correlationKey} data-testid="dry-run-incident">
            <td>{format.dateTime(row.firstEventAt)}</td>
            <td>{t(`severity_${row.severity}`)}</td>
            <td>{format.number(row.evidence)}</td>
            <td>{row.ruleVersion === null ? "–" : format.number(row.ruleVersion)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <section className="dry-run" aria-label={t("ruleDryRunResult")} data-testid="dry-run-result">
      <p role="status">
        {t("ruleDryRunSummary", {
          version: format.number(result.version),
          events: format.number(result.eventsRead),
          from: format.dateTime(result.from),
          to: format.dateTime(result.to),
        })}
        {result.truncated && ` ${t("ruleDryRunTruncated")}`}
      </p>
      <div className="dry-run-grid">
        {table(result.wouldOpen, t("ruleWouldOpen", { version: format.number(result.version) }), "dry-run-would-open")}
        {table(result.opened, t("ruleOpened"), "dry-run-opened")}
      </div>
    </section>
  );
}

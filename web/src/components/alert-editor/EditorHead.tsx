import type { AlertSummary, CapMessageType, CapSeverity, MessageView } from "@hub/contracts";
import { useI18n } from "../../i18n/I18nProvider";
import { AlertStateBadge, CapSeverityBadge, MessageStatusBadge } from "../AlertBadges";
import { PartnerSourceFacts } from "../PartnerWarnings";

interface EditorHeadProps {
  headingId: string;
  heading: string;
  message: MessageView | null;
  summary: AlertSummary | undefined;
  msgType: CapMessageType;
  severity: CapSeverity;
  incidentId: string | null;
  dirty: boolean;
  onClose(): void;
}

/** The editor's heading and badges, the message's facts and its steps so far. */
export function EditorHead({
  headingId,
  heading,
  message,
  summary,
  msgType,
  severity,
  incidentId,
  dirty,
  onClose,
}: EditorHeadProps) {
  const { t, format } = useI18n();
  return (
    <div className="panel editor-head">
      <div className="detail-head">
        <h3 id={headingId} tabIndex={-1}>
          {heading}
        </h3>
        <button type="button" className="button close-button" onClick={onClose} aria-label={t("close")}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      <p className="badges">
        {message ? (
          <MessageStatusBadge status={message.status} />
        ) : (
          <span className="badge message-status-draft">{t("alertUnsaved")}</span>
        )}
        <span className="badge msg-type">{t(`alertMsgType_${msgType}`)}</span>
        <CapSeverityBadge severity={severity} />
        {summary && <AlertStateBadge state={summary.state} />}
        {dirty && message && <span className="badge badge-unsaved">{t("alertUnsavedChanges")}</span>}
      </p>
      {message?.partner && <PartnerSourceFacts source={message.partner} withText />}
      {incidentId && (
        <p className="muted" data-testid="editor-incident">
          {t("alertBasedOnIncident", { id: incidentId })}
        </p>
      )}
      {message && (
        <dl className="facts">
          <div>
            <dt>{t("alertIdentifier")}</dt>
            <dd className="hash" data-testid="message-identifier">
              {message.identifier}
            </dd>
          </div>
          <div>
            <dt>{t("alertVersionLabel")}</dt>
            <dd>{message.version}</dd>
          </div>
          <div>
            <dt>{t("alertDrafter")}</dt>
            <dd>{message.draftedBy}</dd>
          </div>
          {message.approvedBy && (
            <div>
              <dt>{t("alertApprover")}</dt>
              <dd>{message.approvedBy}</dd>
            </div>
          )}
          {message.sent && (
            <div>
              <dt>{t("alertSentLabel")}</dt>
              <dd>{format.dateTime(message.sent)}</dd>
            </div>
          )}
          {message.references && (
            <div>
              <dt>{t("alertReferences")}</dt>
              <dd className="hash">{message.references}</dd>
            </div>
          )}
        </dl>
      )}
      {message && message.steps.length > 0 && (
        <>
          <h4>{t("alertSteps")}</h4>
          <ol className="timeline" data-testid="message-steps">
            {message.steps.map((step, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: steps are only ever appended
              <li key={index} data-testid="message-step" data-action={step.action} data-by={step.by}>
                <time dateTime={step.at}>{format.dateTime(step.at)}</time>{" "}
                <strong>{t(`alertStep_${step.action}`)}</strong> {t("alertStepBy", { user: step.by })}
                {step.note && <span className="step-note"> — {step.note}</span>}
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}

import type { AlertState, CapSeverity, MessageStatus } from "@hub/contracts";
import { useI18n } from "../i18n/I18nProvider";

/** CAP severity, in words (the colour only repeats them). */
export function CapSeverityBadge({ severity }: { severity: CapSeverity }) {
  const { t } = useI18n();
  return (
    <span className={`badge cap-severity-${severity}`} data-severity={severity}>
      {t(`capSeverity_${severity}`)}
    </span>
  );
}

export function AlertStateBadge({ state }: { state: AlertState }) {
  const { t } = useI18n();
  return (
    <span className={`badge alert-state-${state}`} data-testid="alert-state" data-state={state}>
      {t(`alertState_${state}`)}
    </span>
  );
}

export function MessageStatusBadge({ status }: { status: MessageStatus }) {
  const { t } = useI18n();
  return (
    <span className={`badge message-status-${status}`} data-testid="message-status" data-status={status}>
      {t(`messageStatus_${status}`)}
    </span>
  );
}

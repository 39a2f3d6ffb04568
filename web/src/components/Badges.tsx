import type { CameraState, IncidentStatus, Severity } from "@hub/contracts";
import { useI18n } from "../i18n/I18nProvider";

export function SeverityBadge({ severity }: { severity: Severity }) {
  const { t } = useI18n();
  return <span className={`badge severity-${severity}`}>{t(`severity_${severity}`)}</span>;
}

export function StatusBadge({ status }: { status: IncidentStatus }) {
  const { t } = useI18n();
  return <span className={`badge status-${status}`}>{t(`status_${status}`)}</span>;
}

export function CameraStateBadge({ state }: { state: CameraState }) {
  const { t } = useI18n();
  return <span className={`badge camera-${state}`}>{t(`camera_${state}`)}</span>;
}

export function NewBadge() {
  const { t } = useI18n();
  return <span className="badge badge-new">{t("newBadge")}</span>;
}

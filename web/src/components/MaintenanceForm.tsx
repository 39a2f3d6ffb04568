import { MAINTENANCE_ROLES } from "@hub/contracts";
import { type FormEvent, useId, useState } from "react";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { useLive } from "./LiveContext";

/** "2026-12-06T15:30" (a datetime-local input's value, local time) from a Date. */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * Puts a camera or a whole district under maintenance from now until the chosen end (supervisors and
 * administrators): meanwhile its faults open no camera-fault incident and it shows "in maintenance".
 */
export function MaintenanceForm({ districts, onCreated }: { districts: readonly string[]; onCreated(): void }) {
  const { t } = useI18n();
  const { api, user } = useLive();
  const ids = { camera: useId(), district: useId(), endsAt: useId(), reason: useId() };
  const [cameraId, setCameraId] = useState("");
  const [district, setDistrict] = useState("");
  const [endsAt, setEndsAt] = useState(() => localInput(new Date(Date.now() + 2 * 3_600_000)));
  const [reason, setReason] = useState("");
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  if (!user.roles.some((role) => (MAINTENANCE_ROLES as readonly string[]).includes(role))) return null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setResult(null);
    const ends = new Date(endsAt);
    api
      .createMaintenance({
        ...(cameraId.trim() ? { cameraId: cameraId.trim() } : {}),
        ...(district ? { district } : {}),
        endsAt: Number.isNaN(ends.getTime()) ? endsAt : ends.toISOString(),
        reason,
      })
      .then((window) => {
        setResult({ ok: true, text: t("maintenanceCreated", { target: window.cameraId ?? window.district ?? "" }) });
        onCreated();
      })
      .catch((failure: unknown) => {
        const { title, detail } = describeError(failure);
        setResult({ ok: false, text: t("maintenanceFailed", { detail: detail || title }) });
      });
  };

  return (
    <details className="maintenance-form">
      <summary>{t("maintenanceHeading")}</summary>
      <form className="camera-filters" onSubmit={submit} data-testid="maintenance-form">
        <div className="field">
          <label htmlFor={ids.camera}>{t("maintenanceCamera")}</label>
          <input
            id={ids.camera}
            data-testid="maintenance-camera"
            value={cameraId}
            maxLength={64}
            onChange={(event) => setCameraId(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.district}>{t("maintenanceDistrict")}</label>
          <select id={ids.district} value={district} onChange={(event) => setDistrict(event.target.value)}>
            <option value="">{t("maintenanceNoDistrict")}</option>
            {districts.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.endsAt}>{t("maintenanceEndsAt")}</label>
          <input
            id={ids.endsAt}
            type="datetime-local"
            data-testid="maintenance-ends-at"
            value={endsAt}
            required
            onChange={(event) => setEndsAt(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.reason}>{t("maintenanceReason")}</label>
          <input
            id={ids.reason}
            data-testid="maintenance-reason"
            value={reason}
            required
            maxLength={500}
            onChange={(event) => setReason(event.target.value)}
          />
        </div>
        <div className="actions">
          <button type="submit" className="button primary" data-testid="maintenance-submit">
            {t("maintenanceSubmit")}
          </button>
        </div>
      </form>
      {result && (
        <p
          className={result.ok ? "maintenance-ok" : "error"}
          role={result.ok ? "status" : "alert"}
          data-testid="maintenance-result"
        >
          {result.text}
        </p>
      )}
    </details>
  );
}

import { CAMERA_STATES, type CameraView } from "@hub/contracts";
import { useMemo } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { countCameraStates } from "../map/features";
import { CameraStateBadge } from "./Badges";
import { useLive } from "./LiveContext";

const SHOWN = 25;
const ORDER: Record<CameraView["state"], number> = {
  offline: 0,
  silent: 1,
  degraded: 2,
  maintenance: 3,
  unknown: 4,
  online: 5,
};

/**
 * Camera states in numbers (what the map's cluster colours say, for those who cannot see them) and the cameras
 * that are not online, as buttons: the keyboard way to a camera's detail.
 */
export function CameraAttention({ onSelectCamera }: { onSelectCamera(id: string): void }) {
  const { t } = useI18n();
  const { store } = useLive();
  const cameras = store.cameras();
  const counts = useMemo(() => countCameraStates(cameras), [cameras]);
  const attention = useMemo(
    () =>
      cameras
        .filter((camera) => camera.state !== "online")
        .sort((a, b) => ORDER[a.state] - ORDER[b.state] || a.name.localeCompare(b.name)),
    [cameras],
  );

  return (
    <aside className="panel attention-panel" aria-labelledby="attention-heading">
      <h2 id="attention-heading">{t("attentionHeading")}</h2>
      <ul className="state-counts">
        {CAMERA_STATES.map((state) => (
          <li key={state}>
            <CameraStateBadge state={state} /> <span data-testid={`camera-count-${state}`}>{counts[state]}</span>
          </li>
        ))}
      </ul>
      {attention.length === 0 ? (
        <p className="muted">{t("allCamerasOnline")}</p>
      ) : (
        <details>
          <summary>{t("attentionCount", { count: attention.length })}</summary>
          <ul className="camera-items">
            {attention.slice(0, SHOWN).map((camera) => (
              <li key={camera.id}>
                <button type="button" className="link-button" onClick={() => onSelectCamera(camera.id)}>
                  <CameraStateBadge state={camera.state} /> {camera.name}
                </button>
              </li>
            ))}
          </ul>
          {attention.length > SHOWN && <p className="muted">{t("moreCameras", { count: attention.length - SHOWN })}</p>}
        </details>
      )}
    </aside>
  );
}

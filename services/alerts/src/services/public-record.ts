import type { AlertContent, CapMessageType, CapSeverity, LocalizedText, AlertState as State } from "@hub/contracts";
import { AlertSeverity, AlertState, type PublicAlert } from "@hub/proto";
import { districtByCode } from "../templates/districts.js";
import { circleToPolygon } from "./cap.js";

const severities: Record<CapSeverity, AlertSeverity> = {
  Extreme: AlertSeverity.ALERT_SEVERITY_EXTREME,
  Severe: AlertSeverity.ALERT_SEVERITY_SEVERE,
  Moderate: AlertSeverity.ALERT_SEVERITY_MODERATE,
  Minor: AlertSeverity.ALERT_SEVERITY_MINOR,
  Unknown: AlertSeverity.ALERT_SEVERITY_UNSPECIFIED,
};

const states: Record<Exclude<State, "draft">, AlertState> = {
  active: AlertState.ALERT_STATE_ACTIVE,
  cancelled: AlertState.ALERT_STATE_CANCELLED,
  expired: AlertState.ALERT_STATE_EXPIRED,
};

export interface PublicAlertSource {
  alertId: string;
  state: Exclude<State, "draft">;
  /** The alert's public revision: grows with every publication and the expiry. */
  revision: number;
  msgType: CapMessageType;
  identifier: string;
  sent: Date;
  capUrl: string;
  content: AlertContent;
}

const text = (value: LocalizedText): Record<string, string> => ({ ...value });

/** The alert as the public page and the command-centre map see it (hub.alerts.v1, PublicAlertRecord). */
export function publicAlert(source: PublicAlertSource): PublicAlert {
  const { content } = source;
  return {
    id: source.alertId,
    version: source.revision,
    state: states[source.state],
    event: text(content.event),
    headline: text(content.headline),
    description: text(content.description),
    instruction: text(content.instruction),
    category: content.categories[0] ?? "Other",
    severity: severities[content.severity],
    urgency: content.urgency,
    certainty: content.certainty,
    sent: source.sent,
    expires: new Date(content.expires),
    msgType: source.msgType,
    identifier: source.identifier,
    capUrl: source.capUrl,
    areas: content.areas.map((area) => ({
      description: text(area.description),
      polygons: [
        ...area.polygons,
        ...area.circles.map((circle) => circleToPolygon(circle)),
        ...area.districts.flatMap((code) => {
          const district = districtByCode(code);
          return district ? [district.polygon] : [];
        }),
      ].map((ring) => ({ ring: ring.map(([lon, lat]) => ({ lat, lon })) })),
    })),
  };
}

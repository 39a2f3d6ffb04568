import type {
  AlertContent,
  AlertSummary,
  AlertTemplate,
  ChannelDeliverySummary,
  DeliveryState,
  LocalizedText,
  MessageView,
  PublicAlertView,
} from "@hub/contracts";
import { iso, T0 } from "./factories";

/** Test data builders for civil-protection alerts: sensible defaults, override what the test is about. */
let counter = 0;
const nextId = (prefix: string) => `${prefix}-${++counter}`;

export const text = (en: string, pt = `${en} (pt)`, zh = `${en} (zh)`): LocalizedText => ({
  "zh-Hant": zh,
  pt,
  en,
});

export function newAlertContent(overrides: Partial<AlertContent> = {}): AlertContent {
  return {
    templateId: null,
    incidentId: null,
    categories: ["Met"],
    responseTypes: ["Shelter"],
    urgency: "Immediate",
    severity: "Severe",
    certainty: "Observed",
    event: text("Tropical Cyclone Signal No. 8", "Sinal n.º 8", "八號風球"),
    headline: text("Signal No. 8 is hoisted", "Içado o sinal n.º 8", "八號風球現正生效"),
    description: text("Gale force winds expected."),
    instruction: text("Stay indoors."),
    eventCodes: [{ valueName: "MO-SMG-signal", value: "8NE" }],
    onset: null,
    expires: iso(T0 + 6 * 3600_000),
    areas: [
      {
        description: text("Inner Harbour", "Porto Interior", "內港"),
        polygons: [],
        circles: [],
        districts: ["MO-INNER-HARBOUR"],
      },
    ],
    ...overrides,
  };
}

export function newMessage(overrides: Partial<MessageView> = {}): MessageView {
  return {
    id: nextId("msg"),
    alertId: nextId("alert"),
    version: 1,
    msgType: "Alert",
    status: "draft",
    identifier: nextId("urn:oid:2.49.0.1.446.0"),
    references: null,
    content: newAlertContent(),
    draftedBy: "drafter",
    sent: null,
    approvedBy: null,
    steps: [{ action: "drafted", by: "drafter", at: iso(T0), note: null }],
    revision: 1,
    ...overrides,
  };
}

export function newAlertSummary(overrides: Partial<AlertSummary> = {}): AlertSummary {
  return {
    id: nextId("alert"),
    state: "active",
    version: 1,
    event: text("Signal No. 8"),
    headline: text("Signal No. 8 is hoisted"),
    severity: "Severe",
    sent: iso(T0),
    expires: iso(T0 + 6 * 3600_000),
    currentMessageId: nextId("msg"),
    pendingMessageId: null,
    updatedAt: iso(T0),
    ...overrides,
  };
}

export function newTemplate(overrides: Partial<AlertTemplate> = {}): AlertTemplate {
  const { expires: _expires, templateId: _templateId, incidentId: _incidentId, ...content } = newAlertContent();
  return {
    id: nextId("template"),
    group: "tropical-cyclone",
    name: text("Signal No. 8"),
    content,
    expiresInHours: 12,
    ...overrides,
  };
}

export function newChannelSummary(
  counts: Partial<Record<DeliveryState, number>> = {},
  overrides: Partial<ChannelDeliverySummary> = {},
): ChannelDeliverySummary {
  return {
    channel: "webhook:civil-protection-app",
    kind: "webhook",
    counts: { pending: 0, sending: 0, sent: 0, failed: 0, dead: 0, ...counts },
    problems: [],
    ...overrides,
  };
}

export function newPublicAlert(overrides: Partial<PublicAlertView> = {}): PublicAlertView {
  const id = overrides.id ?? nextId("alert");
  return {
    id,
    version: 1,
    state: "active",
    msgType: "Alert",
    identifier: `urn:oid:2.49.0.1.446.0.${id}`,
    event: text("Signal No. 8", "Sinal n.º 8", "八號風球"),
    headline: text("Signal No. 8 is hoisted"),
    description: text("Gale force winds expected."),
    instruction: text("Stay indoors."),
    category: "Met",
    severity: "Severe",
    urgency: "Immediate",
    certainty: "Observed",
    sent: iso(T0),
    expires: iso(T0 + 6 * 3600_000),
    areas: [{ description: text("Inner Harbour"), polygons: [] }],
    capUrl: `/cap/messages/${encodeURIComponent(id)}.xml`,
    ...overrides,
  };
}

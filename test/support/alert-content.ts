import { randomUUID } from "node:crypto";
import type { AlertContent } from "@hub/contracts";

/**
 * A valid alert: a typhoon-like warning over a circle on the peninsula, expiring `hours` after `now`; each test
 * overrides only what it is about. Shared by the integration tests and the workflow's unit tests.
 */
export function alertContent(now: Date, overrides: Partial<AlertContent> = {}, hours = 6): AlertContent {
  const tag = randomUUID().slice(0, 8);
  return {
    templateId: null,
    incidentId: null,
    categories: ["Met"],
    responseTypes: ["Prepare"],
    urgency: "Expected",
    severity: "Severe",
    certainty: "Likely",
    event: { "zh-Hant": `測試警告 ${tag}`, pt: `Aviso de teste ${tag}`, en: `Test warning ${tag}` },
    headline: { "zh-Hant": `測試標題 ${tag}`, pt: `Título de teste ${tag}`, en: `Test headline ${tag}` },
    description: { "zh-Hant": "測試描述。", pt: "Descrição de teste.", en: "Test description." },
    instruction: { "zh-Hant": "請留意。", pt: "Esteja atento.", en: "Stay alert." },
    eventCodes: [],
    onset: null,
    expires: new Date(now.getTime() + hours * 3600_000).toISOString(),
    areas: [
      {
        description: { "zh-Hant": "澳門半島", pt: "Península de Macau", en: "Macao Peninsula" },
        polygons: [],
        circles: [{ center: [113.54, 22.195], radiusKm: 1.5 }],
        districts: ["MO-SE"],
      },
    ],
    ...overrides,
  };
}

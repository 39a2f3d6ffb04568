import type { AlertCircle, AlertTemplate, DistrictCode } from "@hub/contracts";
import type { AreaResult } from "../cases/draw";
import type { AreaForm } from "./form";

/** A shape drawn with the case lookup's drawing reducer, as an alert area takes it. */
export type DrawnShape = { kind: "circle"; circle: AlertCircle } | { kind: "polygon"; ring: [number, number][] };

/** The finished shape of the drawing (`areaOf(draw)`), or null while there is none. */
export function shapeOfDrawing(result: AreaResult): DrawnShape | null {
  if (!result.ok) return null;
  const area = result.area;
  if ("circle" in area) {
    const { lat, lon, radiusM } = area.circle;
    return { kind: "circle", circle: { center: [lon, lat], radiusKm: radiusM / 1000 } };
  }
  return { kind: "polygon", ring: area.polygon.map(([lon, lat]): [number, number] => [lon, lat]) };
}

export function addShape(area: AreaForm, shape: DrawnShape): AreaForm {
  return shape.kind === "circle"
    ? { ...area, circles: [...area.circles, shape.circle] }
    : { ...area, polygons: [...area.polygons, shape.ring] };
}

export function removeShape(area: AreaForm, kind: DrawnShape["kind"], index: number): AreaForm {
  return kind === "circle"
    ? { ...area, circles: area.circles.filter((_, i) => i !== index) }
    : { ...area, polygons: area.polygons.filter((_, i) => i !== index) };
}

/** Turns a district on or off for an area, keeping the order of `order` (the service's list). */
export function toggleDistrict(
  area: AreaForm,
  code: DistrictCode,
  on: boolean,
  order: readonly DistrictCode[],
): AreaForm {
  const chosen = new Set(area.districts);
  if (on) chosen.add(code);
  else chosen.delete(code);
  const known = order.filter((item) => chosen.has(item));
  const unknown = [...chosen].filter((item) => !order.includes(item));
  return { ...area, districts: [...known, ...unknown] };
}

export interface TemplateGroup {
  group: string;
  templates: AlertTemplate[];
}

/** Templates grouped for the picker, groups and templates in the order the service lists them. */
export function groupTemplates(templates: readonly AlertTemplate[]): TemplateGroup[] {
  const groups = new Map<string, AlertTemplate[]>();
  for (const template of templates) {
    const list = groups.get(template.group);
    if (list) list.push(template);
    else groups.set(template.group, [template]);
  }
  return [...groups].map(([group, list]) => ({ group, templates: list }));
}

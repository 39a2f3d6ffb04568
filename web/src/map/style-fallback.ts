import type { StyleSpecification } from "./layers";

/** The little of a MapLibre map the fallback needs, so the decision is tested without WebGL. */
export interface StyledMap {
  on(type: "error" | "style.load", listener: () => void): unknown;
  setStyle(style: StyleSpecification): unknown;
}

/**
 * The configured base style (the city's own tiles) may fail before it loads: HTTP error, unreachable server,
 * invalid JSON or an invalid style. Then the map switches, once, to the offline style drawn from the land outline,
 * and `onFallback` tells the page. Errors after the style loaded (a missing tile) are not the style's failure: the
 * map keeps it. The hub's own layers are added on the map's first "load", which comes after whichever style loads.
 */
export function fallBackToOffline(map: StyledMap, offline: () => StyleSpecification, onFallback: () => void): void {
  let settled = false;
  map.on("style.load", () => {
    settled = true;
  });
  map.on("error", () => {
    if (settled) return;
    settled = true;
    map.setStyle(offline());
    onFallback();
  });
}

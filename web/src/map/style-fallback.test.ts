import { describe, expect, it, vi } from "vitest";
import type { StyleSpecification } from "./layers";
import { fallBackToOffline, type StyledMap } from "./style-fallback";

const OFFLINE: StyleSpecification = { version: 8, name: "offline", sources: {}, layers: [] };

function fakeMap() {
  const listeners: Record<string, (() => void)[]> = {};
  const map = {
    styles: [] as StyleSpecification[],
    on(type: string, listener: () => void) {
      listeners[type] = [...(listeners[type] ?? []), listener];
    },
    setStyle(style: StyleSpecification) {
      map.styles.push(style);
    },
    fire(type: string) {
      for (const listener of listeners[type] ?? []) listener();
    },
  };
  return map satisfies StyledMap;
}

describe("fallBackToOffline", () => {
  it("switches to the offline style once when the configured style fails before loading", () => {
    const map = fakeMap();
    const onFallback = vi.fn();
    fallBackToOffline(map, () => OFFLINE, onFallback);
    map.fire("error");
    map.fire("error");
    map.fire("style.load");
    map.fire("error");
    expect(map.styles).toEqual([OFFLINE]);
    expect(onFallback).toHaveBeenCalledTimes(1);
  });

  it("keeps a style that loaded, whatever fails afterwards", () => {
    const map = fakeMap();
    const onFallback = vi.fn();
    fallBackToOffline(map, () => OFFLINE, onFallback);
    map.fire("style.load");
    map.fire("error");
    expect(map.styles).toEqual([]);
    expect(onFallback).not.toHaveBeenCalled();
  });
});

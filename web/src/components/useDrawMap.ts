import type { ClientConfig } from "@hub/contracts";
import { type Dispatch, type RefObject, useEffect, useMemo, useRef, useState } from "react";
import { describeError } from "../api";
import type { DrawAction, DrawState } from "../cases/draw";
import { drawPointerEvents } from "../cases/draw-events";
import { useI18n } from "../i18n/I18nProvider";
import type { MapLabels } from "../map/base";
import type { DrawMapController, DrawMapOptions } from "../map/draw-map";

export interface DrawMapFrame {
  /** The element MapLibre fills. */
  container: RefObject<HTMLDivElement | null>;
  /** The hidden test hook the controller writes its counts on. */
  stats: RefObject<HTMLDivElement | null>;
  /** The controller exists and data can be handed to it. */
  loaded: boolean;
  /** Why the map could not load, if it could not. */
  failure: string | null;
}

/**
 * The React side of a map that is drawn on: loads the controller on demand (MapLibre is a large chunk), creates it
 * once, feeds pointer input to the drawing reducer, keeps its labels in the UI language, and destroys it on
 * unmount. The map's handlers read the newest drawing state and callbacks through refs: the map is made once.
 */
export function useDrawMap<C extends DrawMapController<string>>(options: {
  /** Resolves to the controller class, e.g. `() => import("../map/case-controller").then((m) => m.CaseMapController)`. */
  load: () => Promise<new (options: DrawMapOptions) => C>;
  /** For log lines: "case map", "alert map". */
  name: string;
  /** The canvas's accessible name. */
  canvasLabel: string;
  config: ClientConfig;
  draw: DrawState;
  dispatch: Dispatch<DrawAction>;
  /** A click, while not drawing, on a feature of the controller's hit layer. */
  onHit(id: string): void;
  controllerRef: RefObject<C | null>;
}): DrawMapFrame {
  const { t } = useI18n();
  const { load, name, canvasLabel, config, draw, dispatch, onHit, controllerRef } = options;
  const container = useRef<HTMLDivElement>(null);
  const stats = useRef<HTMLDivElement>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);

  const labels: MapLabels = useMemo(
    () => ({ canvas: canvasLabel, zoomIn: t("mapZoomIn"), zoomOut: t("mapZoomOut") }),
    [canvasLabel, t],
  );
  const labelsRef = useRef(labels);
  labelsRef.current = labels;
  const drawRef = useRef(draw);
  drawRef.current = draw;
  const hitRef = useRef(onHit);
  hitRef.current = onHit;
  const loadRef = useRef(load);

  useEffect(() => {
    const element = container.current;
    const statsElement = stats.current;
    if (!element || !statsElement) return;
    let controller: C | null = null;
    let cancelled = false;
    loadRef
      .current()
      .then((Controller) => {
        if (cancelled) return;
        controller = new Controller({
          container: element,
          stats: statsElement,
          config,
          labels: labelsRef.current,
          events: {
            ...drawPointerEvents(
              () => drawRef.current,
              dispatch,
              (id) => hitRef.current(id),
            ),
            onError: (error) => console.warn(`${name}:`, error),
          },
        });
        controllerRef.current = controller;
        setLoaded(true);
      })
      .catch((error: unknown) => {
        console.error(`${name} could not load:`, error);
        if (!cancelled) setFailure(describeError(error).detail);
      });
    return () => {
      cancelled = true;
      controllerRef.current = null;
      controller?.destroy();
    };
  }, [config, dispatch, controllerRef, name]);

  useEffect(() => {
    controllerRef.current?.setLabels(labels);
  }, [labels, controllerRef]);

  return { container, stats, loaded, failure };
}

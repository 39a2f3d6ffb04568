import { ALERT_LAYERS, ALERT_SOURCES, type AlertSource, alertLayers, alertSources } from "./draw-layers";
import { DrawMapController, type DrawMapEvents, type DrawMapOptions } from "./draw-map";

/** Drawing input (a click's `hitId` is a district code under it), and map errors. */
export type AlertMapEvents = DrawMapEvents;
export type AlertMapOptions = DrawMapOptions;

/**
 * The alert editor's map: the base map, the district outlines, the alert's areas, and the shape being drawn.
 * The test hook's data-districts / data-shapes / data-draw count the features last given to each.
 */
export class AlertMapController extends DrawMapController<AlertSource> {
  constructor(options: AlertMapOptions) {
    super(options, {
      sourceIds: ALERT_SOURCES,
      sources: alertSources,
      layers: alertLayers,
      hitLayer: ALERT_LAYERS.districtFill,
      counted: Object.keys(ALERT_SOURCES) as AlertSource[],
      maxZoom: 16,
    });
  }

  setDistricts(collection: GeoJSON.FeatureCollection): void {
    this.setData("districts", collection);
  }

  setShapes(collection: GeoJSON.FeatureCollection): void {
    this.setData("shapes", collection);
  }

  setDraw(collection: GeoJSON.FeatureCollection): void {
    this.setData("draw", collection);
  }
}

import { CASE_LAYERS, CASE_SOURCES, type CaseSource, caseLayers, caseSources } from "./draw-layers";
import { DrawMapController, type DrawMapEvents, type DrawMapOptions } from "./draw-map";

/** Drawing input (a click's `hitId` is a camera under it), and map errors. */
export type CaseMapEvents = DrawMapEvents;
export type CaseMapOptions = DrawMapOptions;

/**
 * The case-lookup map: the base map, the area being drawn, the covering cameras and their fields of view. The test
 * hook's data-area / data-cameras count the features last given to each.
 */
export class CaseMapController extends DrawMapController<CaseSource> {
  constructor(options: CaseMapOptions) {
    super(options, {
      sourceIds: CASE_SOURCES,
      sources: caseSources,
      layers: caseLayers,
      hitLayer: CASE_LAYERS.cameras,
      counted: ["area", "cameras"],
      maxZoom: 18,
    });
  }

  setArea(collection: GeoJSON.FeatureCollection): void {
    this.setData("area", collection);
  }

  setCameras(points: GeoJSON.FeatureCollection, fov: GeoJSON.FeatureCollection): void {
    this.setData("cameras", points);
    this.setData("fov", fov);
  }
}

/** Mean Earth radius (IUGG), metres: at a camera's range of tens of metres the sphere is exact enough. */
const EARTH_RADIUS_M = 6_371_008.8;
const toRad = (deg: number) => (deg * Math.PI) / 180;
const toDeg = (rad: number) => (rad * 180) / Math.PI;

/** [lon, lat], GeoJSON order. */
export type Position = [number, number];

/** The point `distanceM` from (lat, lon) along `bearingDeg` (clockwise from north), as [lon, lat]. */
export function destination(lat: number, lon: number, bearingDeg: number, distanceM: number): Position {
  const angular = distanceM / EARTH_RADIUS_M;
  const bearing = toRad(bearingDeg);
  const lat1 = toRad(lat);
  const lon1 = toRad(lon);
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(angular) + Math.cos(lat1) * Math.sin(angular) * Math.cos(bearing));
  const lon2 =
    lon1 +
    Math.atan2(
      Math.sin(bearing) * Math.sin(angular) * Math.cos(lat1),
      Math.cos(angular) - Math.sin(lat1) * Math.sin(lat2),
    );
  return [((toDeg(lon2) + 540) % 360) - 180, toDeg(lat2)];
}

/** Great-circle distance in metres (haversine). */
export function distanceM(a: Position, b: Position): number {
  const dLat = toRad(b[1] - a[1]);
  const dLon = toRad(b[0] - a[0]);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a[1])) * Math.cos(toRad(b[1])) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b, degrees clockwise from north in [0, 360). */
export function bearingDeg(a: Position, b: Position): number {
  const lat1 = toRad(a[1]);
  const lat2 = toRad(b[1]);
  const dLon = toRad(b[0] - a[0]);
  const y = Math.sin(dLon) * Math.cos(lat2);
  const x = Math.cos(lat1) * Math.sin(lat2) - Math.sin(lat1) * Math.cos(lat2) * Math.cos(dLon);
  return (toDeg(Math.atan2(y, x)) + 360) % 360;
}

/**
 * A camera's field of view as one closed GeoJSON polygon ring: the camera, then an arc of radius `rangeM` from
 * bearing − fov/2 to bearing + fov/2, then the camera again. A field of view of 360° or more is a full circle.
 * `segments` arc pieces (at least 1 per 10°, so a wide lens stays round).
 */
export function fovSector(
  lat: number,
  lon: number,
  bearing: number,
  fovAngleDeg: number,
  rangeM: number,
  segments?: number,
): Position[] {
  const fov = Math.max(0, Math.min(360, fovAngleDeg));
  const steps = Math.max(1, segments ?? Math.ceil(fov / 5), Math.ceil(fov / 10));
  const start = bearing - fov / 2;
  const arc: Position[] = [];
  for (let i = 0; i <= steps; i += 1) arc.push(destination(lat, lon, start + (fov * i) / steps, rangeM));
  if (fov >= 360) {
    // The last arc point is the first one again: the ring is already closed, without the centre.
    arc[arc.length - 1] = arc[0] as Position;
    return arc;
  }
  const centre: Position = [lon, lat];
  return [centre, ...arc, centre];
}

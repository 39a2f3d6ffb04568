import type { SensorSeriesPoint } from "@hub/contracts";
import { useId } from "react";
import { useI18n } from "../i18n/I18nProvider";

const WIDTH = 320;
const HEIGHT = 120;
const PAD = { left: 4, right: 4, top: 14, bottom: 14 };
const BUCKET_MS = 5 * 60_000;

interface SensorChartProps {
  /** The chart's title (the quantity and its unit). */
  title: string;
  unit: string;
  series: readonly SensorSeriesPoint[];
  from: string;
  to: string;
}

/**
 * The last 24 hours of one datastream as a plain SVG: the 5-minute averages as a line (broken where no reading
 * came), their minimum-maximum range as a band. For those who cannot see it, the image has a title and a summary,
 * and the same numbers are in a table below it.
 */
export function SensorChart({ title, unit, series, from, to }: SensorChartProps) {
  const { t, format } = useI18n();
  const id = useId();
  if (series.length === 0) return <p className="muted">{t("sensorChartEmpty")}</p>;
  const start = Date.parse(from);
  const span = Math.max(1, Date.parse(to) - start);
  const low = Math.min(...series.map((point) => point.min));
  const high = Math.max(...series.map((point) => point.max));
  const range = high - low || 1;
  const x = (iso: string) =>
    PAD.left + ((Date.parse(iso) + BUCKET_MS / 2 - start) / span) * (WIDTH - PAD.left - PAD.right);
  const y = (value: number) => PAD.top + (1 - (value - low) / range) * (HEIGHT - PAD.top - PAD.bottom);
  // Runs of consecutive buckets: a missing bucket breaks the line rather than drawing across the gap.
  const runs: SensorSeriesPoint[][] = [];
  for (const point of series) {
    const run = runs.at(-1);
    const previous = run?.at(-1);
    if (run && previous && Date.parse(point.bucket) - Date.parse(previous.bucket) <= BUCKET_MS) run.push(point);
    else runs.push([point]);
  }
  const last = series.at(-1) as SensorSeriesPoint;
  const number = (value: number) => format.number(Math.round(value * 100) / 100);
  const summary = t("sensorChartSummary", {
    count: series.length,
    from: format.dateTime(series[0]?.bucket ?? from),
    to: format.dateTime(last.bucket),
    min: number(low),
    max: number(high),
    last: number(last.avg),
    unit,
  });
  return (
    <figure className="sensor-chart">
      <svg
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        className="sensor-chart-svg"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <line className="sensor-chart-axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(low)} y2={y(low)} />
        {runs.map((run) => (
          <g key={run[0]?.bucket}>
            <polygon
              className="sensor-chart-band"
              points={[
                ...run.map((point) => `${x(point.bucket)},${y(point.max)}`),
                ...[...run].reverse().map((point) => `${x(point.bucket)},${y(point.min)}`),
              ].join(" ")}
            />
            {run.length === 1 ? (
              <circle className="sensor-chart-dot" cx={x(run[0]?.bucket ?? from)} cy={y(run[0]?.avg ?? low)} r={3} />
            ) : (
              <polyline
                className="sensor-chart-line"
                points={run.map((point) => `${x(point.bucket)},${y(point.avg)}`).join(" ")}
              />
            )}
          </g>
        ))}
        <text className="sensor-chart-label" x={PAD.left} y={PAD.top - 3}>
          {number(high)} {unit}
        </text>
        <text className="sensor-chart-label" x={PAD.left} y={HEIGHT - 2}>
          {number(low)} {unit}
        </text>
      </svg>
      <details>
        <summary>{t("sensorChartTable")}</summary>
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
        <section className="sensor-table-scroll" tabIndex={0} aria-label={title}>
          <table className="sensor-table">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{t("sensorBucket")}</th>
                <th scope="col">{t("sensorAverage")}</th>
                <th scope="col">{t("sensorMinimum")}</th>
                <th scope="col">{t("sensorMaximum")}</th>
              </tr>
            </thead>
            <tbody>
              {[...series].reverse().map((point) => (
                <tr key={point.bucket}>
                  <th scope="row">{format.time(point.bucket)}</th>
                  <td>{number(point.avg)}</td>
                  <td>{number(point.min)}</td>
                  <td>{number(point.max)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </details>
    </figure>
  );
}

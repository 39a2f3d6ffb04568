import { describe, expect, it } from "vitest";
import { HubError } from "./errors.js";
import {
  fillRecorderTemplate,
  recorderOrigins,
  type SiteRecorder,
  validateSiteRecorder,
} from "./recorder-templates.js";

const frigate: SiteRecorder = {
  kind: "frigate",
  clipUrlTemplate: "http://frigate.local:5000/api/{camera}/start/{from}/end/{to}/clip.mp4",
  stillUrlTemplate: "http://frigate.local:5000/api/{camera}/recordings/{at}/snapshot.png",
  timeFormat: "unix",
};

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof HubError) return error.fieldPath;
    throw error;
  }
  return "no error";
}

describe("site recorder templates", () => {
  it("accepts Frigate's clip and still URLs and fills them in Unix seconds", () => {
    expect(validateSiteRecorder(frigate)).toBe(frigate);
    const from = new Date("2026-03-01T10:00:00Z");
    expect(
      fillRecorderTemplate(
        frigate.clipUrlTemplate,
        { camera: "largo n", from, to: new Date(from.getTime() + 90_000) },
        "unix",
      ),
    ).toBe("http://frigate.local:5000/api/largo%20n/start/1772359200/end/1772359290/clip.mp4");
    expect(recorderOrigins(frigate)).toEqual(new Set(["http://frigate.local:5000"]));
  });

  it("fills ISO 8601 times encoded, so a value cannot add a path or a query", () => {
    const url = fillRecorderTemplate(
      "https://vms/clips?cam={camera}&from={from}",
      { camera: "a/../b&x=1", from: new Date("2026-03-01T10:00:00Z") },
      "iso8601",
    );
    expect(url).toBe("https://vms/clips?cam=a%2F..%2Fb%26x%3D1&from=2026-03-01T10%3A00%3A00.000Z");
  });

  const refusals: [string, Partial<SiteRecorder>, string][] = [
    ["a clip template without {to}", { clipUrlTemplate: "http://r/{camera}/{from}" }, "clip_url_template"],
    ["an unknown placeholder", { clipUrlTemplate: "http://r/{camera}/{from}/{to}/{secret}" }, "clip_url_template"],
    ["a file: template", { clipUrlTemplate: "file:///{camera}/{from}/{to}" }, "clip_url_template"],
    ["credentials in the template", { clipUrlTemplate: "http://u:p@r/{camera}/{from}/{to}" }, "clip_url_template"],
    ["a placeholder in the host", { clipUrlTemplate: "http://{camera}.r/{from}/{to}" }, "clip_url_template"],
    [
      "an oversized template",
      { clipUrlTemplate: `http://r/{camera}/{from}/{to}/${"a".repeat(1020)}` },
      "clip_url_template",
    ],
    ["a still template without {at}", { stillUrlTemplate: "http://r/{camera}.png" }, "still_url_template"],
    ["an unknown kind", { kind: "betamax" as never }, "kind"],
  ];
  it.each(refusals)("refuses %s, naming the field", (_name, change, field) => {
    expect(fieldOf(() => validateSiteRecorder({ ...frigate, ...change }))).toBe(field);
  });
});

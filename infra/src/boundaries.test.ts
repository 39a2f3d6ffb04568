import { describe, expect, it } from "vitest";
import { boundaryViolations } from "./boundaries.js";

describe("package boundaries", () => {
  it("accepts the intended dependencies", () => {
    expect(
      boundaryViolations([
        { dir: "contracts", dependencies: { zod: "4.6.7" } },
        { dir: "web", dependencies: { "@hub/contracts": "0.1.0", react: "19.3.1" } },
        { dir: "services/gateway", dependencies: { "@hub/common": "0.1.0", "@hub/contracts": "0.1.0" } },
        { dir: "infra", dependencies: { "@hub/ingest": "0.1.0" } },
      ]),
    ).toEqual([]);
  });

  it("refuses a service depending on another, the web on a service, and the contracts on anything but zod", () => {
    const violations = boundaryViolations([
      { dir: "services/gateway", dependencies: { "@hub/alerts": "0.1.0" } },
      { dir: "web", devDependencies: { "@hub/gateway": "0.1.0" } },
      { dir: "contracts", dependencies: { zod: "4.6.7", "@hub/common": "0.1.0" } },
    ]);
    expect(violations).toEqual([
      expect.stringMatching(/^services\/gateway: @hub\/alerts/),
      expect.stringMatching(/^web: @hub\/gateway/),
      expect.stringMatching(/^contracts: @hub\/common/),
    ]);
  });
});

import {
  type CaseSearchResult,
  type ClientConfig,
  OBJECT_CLASSES,
  type ObjectClass,
  RULE_TYPES,
  type RuleType,
} from "@hub/contracts";
import {
  type FormEvent,
  type ReactNode,
  type Ref,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useReducer,
  useRef,
  useState,
} from "react";
import { ApiError, describeError } from "../api";
import { areaOf, drawReducer, initialDrawState, MAX_RADIUS_M, MIN_RADIUS_M } from "../cases/draw";
import {
  buildCaseSearch,
  type CaseForm,
  canSearch,
  emptyCaseForm,
  type FormField,
  fieldOfProblem,
  isCaseReference,
  isPurpose,
  MAX_WINDOW_HOURS,
  PURPOSE_MAX,
  PURPOSE_MIN,
  presetWindow,
  WINDOW_PRESETS_H,
} from "../cases/request";
import { useI18n } from "../i18n/I18nProvider";
import type { CaseMapController } from "../map/case-controller";
import { CaseMap } from "./CaseMap";
import { CaseResults } from "./CaseResults";
import { CheckGroup } from "./CheckGroup";
import { DrawControls } from "./DrawControls";
import { useLive } from "./LiveContext";

/** A problem to show: next to its field, or above the search button when it names none. */
interface ShownProblem {
  field: FormField | null;
  text: string;
}

/** Who may look: the gateway refuses everyone else with 403; the page says so before they try. */
export function CaseLookupPage({ config, headingRef }: { config: ClientConfig; headingRef: Ref<HTMLHeadingElement> }) {
  const { t } = useI18n();
  const { user } = useLive();
  if (!user.roles.includes("investigator")) {
    return (
      <main className="case-page case-page-denied" id="case-lookup" aria-labelledby="case-lookup-heading">
        <section className="panel card">
          <h2 id="case-lookup-heading" ref={headingRef} tabIndex={-1}>
            {t("caseLookup")}
          </h2>
          <p data-testid="case-denied">{t("caseInvestigatorOnly")}</p>
          <p className="muted">{t("caseAuditNotice")}</p>
        </section>
      </main>
    );
  }
  return <CaseLookup config={config} headingRef={headingRef} />;
}

function CaseLookup({ config, headingRef }: { config: ClientConfig; headingRef: Ref<HTMLHeadingElement> }) {
  const { t } = useI18n();
  const { api, announce } = useLive();
  const [form, setForm] = useState<CaseForm>(() => emptyCaseForm(Date.now()));
  const [draw, dispatch] = useReducer(drawReducer, undefined, () => initialDrawState("circle"));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ShownProblem | null>(null);
  const [searched, setSearched] = useState<{ result: CaseSearchResult; purpose: string } | null>(null);
  const [selectedCameraId, setSelectedCameraId] = useState<string | null>(null);
  const mapRef = useRef<CaseMapController | null>(null);
  const searchToken = useRef(0);

  const id = useId();
  const ids = {
    caseReference: `${id}-ref`,
    purpose: `${id}-purpose`,
    window: `${id}-from`,
    to: `${id}-to`,
    area: `${id}-area`,
    lat: `${id}-lat`,
    lon: `${id}-lon`,
    radius: `${id}-radius`,
    objectClasses: `${id}-classes`,
    ruleTypes: `${id}-rules`,
    plate: `${id}-plate`,
    cameraIds: `${id}-cameras`,
    incidentId: `${id}-incident`,
    problem: `${id}-problem`,
    searchHelp: `${id}-search-help`,
    auditNote: `${id}-audit`,
    refHint: `${id}-ref-hint`,
    purposeHint: `${id}-purpose-hint`,
    windowHint: `${id}-window-hint`,
    plateHint: `${id}-plate-hint`,
    cameraHint: `${id}-camera-hint`,
    incidentHint: `${id}-incident-hint`,
    areaHint: `${id}-area-hint`,
  } as const;

  const set = <K extends keyof CaseForm>(key: K, value: CaseForm[K]) => {
    setForm((previous) => ({ ...previous, [key]: value }));
    // Editing the field a problem was about takes the problem away; it comes back on the next search if still there.
    const field: FormField = key === "from" || key === "to" ? "window" : key;
    if (problem?.field === field) setProblem(null);
  };
  const toggle = <T extends string>(list: readonly T[], item: T, on: boolean): T[] =>
    on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);

  // A problem with the area goes when the area changes (not when the pointer merely moves over the map).
  const areaKey = useMemo(() => JSON.stringify(areaOf(draw)), [draw]);
  useEffect(() => {
    void areaKey;
    setProblem((previous) => (previous?.field === "area" ? null : previous));
  }, [areaKey]);

  const ready = canSearch(form);
  const referenceValid = isCaseReference(form.caseReference);
  const purposeValid = isPurpose(form.purpose);
  const purposeLength = form.purpose.trim().length;

  const focusField = (field: FormField | null) => {
    const target =
      field === "area"
        ? draw.mode === "circle"
          ? ids.lat
          : `${ids.area}-mode-polygon`
        : field === "objectClasses" || field === "ruleTypes"
          ? `${ids[field]}-0`
          : field
            ? ids[field]
            : null;
    if (target) document.getElementById(target)?.focus();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!ready || busy) return;
    const built = buildCaseSearch(form, areaOf(draw));
    if (!built.ok) {
      setProblem({ field: built.field, text: t(`caseProblem_${built.problem}`) });
      focusField(built.field);
      return;
    }
    const token = ++searchToken.current;
    setBusy(true);
    setProblem(null);
    announce(t("caseSearching"));
    api
      .caseSearch(built.request)
      .then((result) => {
        if (token !== searchToken.current) return;
        setSearched({ result, purpose: built.request.purpose });
        setSelectedCameraId(null);
        announce(
          t("caseFound", {
            detections: result.detections.total,
            cameras: result.cameras.length,
            plates: result.plates.length,
          }),
        );
      })
      .catch((error: unknown) => {
        if (token !== searchToken.current) return;
        const { title, detail } = describeError(error);
        const field = error instanceof ApiError ? fieldOfProblem(error.problem.field) : null;
        const text =
          error instanceof ApiError && error.status === 403
            ? `${t("caseForbidden")} ${detail}`.trim()
            : detail || title;
        setProblem({ field, text });
      })
      .finally(() => {
        if (token === searchToken.current) setBusy(false);
      });
  };

  /** The problem, where it belongs: the test hook "case-error", announced as an alert. */
  const problemAt = (field: FormField | null): ReactNode =>
    problem && problem.field === field ? (
      <p id={ids.problem} className="error field-error" data-testid="case-error" role="alert">
        {problem.text}
      </p>
    ) : null;
  const invalid = (field: FormField) => (problem?.field === field ? true : undefined);
  const describedBy = (field: FormField, ...others: string[]) =>
    [...others, problem?.field === field ? ids.problem : ""].filter(Boolean).join(" ") || undefined;

  const selectCamera = useCallback((cameraId: string) => {
    setSelectedCameraId(cameraId);
  }, []);
  const showCamera = useCallback((lon: number, lat: number) => mapRef.current?.flyTo(lon, lat), []);
  const areaStatus =
    draw.mode === "circle"
      ? draw.draft
        ? t("caseCircleDrafting", { radius: Math.round(draw.draft.radiusM) })
        : null
      : draw.closed
        ? t("casePolygonClosed", { count: draw.corners.length })
        : t("casePolygonOpen", { count: draw.corners.length });

  return (
    <main className="case-page" id="case-lookup" aria-labelledby="case-lookup-heading">
      <section className="case-form-panel" aria-labelledby="case-lookup-heading">
        <h2 id="case-lookup-heading" ref={headingRef} tabIndex={-1}>
          {t("caseLookup")}
        </h2>
        <p id={ids.auditNote} className="notice case-audit-note">
          {t("caseAuditNotice")}
        </p>
        <form className="case-form" data-testid="case-form" onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor={ids.caseReference}>{t("caseReference")}</label>
            <input
              id={ids.caseReference}
              data-testid="case-reference"
              name="caseReference"
              autoComplete="off"
              spellCheck={false}
              required
              maxLength={64}
              aria-invalid={
                invalid("caseReference") ?? (form.caseReference !== "" && !referenceValid ? true : undefined)
              }
              aria-describedby={describedBy("caseReference", ids.refHint)}
              value={form.caseReference}
              onChange={(event) => set("caseReference", event.target.value)}
            />
            <p id={ids.refHint} className="hint">
              {t("caseReferenceHint")}
            </p>
            {problemAt("caseReference")}
          </div>
          <div className="field">
            <label htmlFor={ids.purpose}>{t("casePurpose")}</label>
            <textarea
              id={ids.purpose}
              data-testid="case-purpose"
              name="purpose"
              required
              rows={3}
              maxLength={PURPOSE_MAX}
              aria-invalid={invalid("purpose") ?? (form.purpose !== "" && !purposeValid ? true : undefined)}
              aria-describedby={describedBy("purpose", ids.purposeHint)}
              value={form.purpose}
              onChange={(event) => set("purpose", event.target.value)}
            />
            <p id={ids.purposeHint} className="hint">
              {t("casePurposeHint", { min: PURPOSE_MIN, max: PURPOSE_MAX, count: purposeLength })}
            </p>
            {problemAt("purpose")}
          </div>

          <fieldset className="case-fieldset" id={ids.area}>
            <legend>{t("caseArea")}</legend>
            <DrawControls
              draw={draw}
              dispatch={dispatch}
              mapCentre={() => mapRef.current?.centre()}
              modes={["circle", "polygon"]}
              name={`${id}-area-mode`}
              modeTestId="area-mode"
              hintId={ids.areaHint}
              idPrefix={`${ids.area}-mode`}
            />
            {draw.mode === "circle" ? (
              <div className="field-row">
                <div className="field">
                  <label htmlFor={ids.lat}>{t("caseLatitude")}</label>
                  <input
                    id={ids.lat}
                    data-testid="circle-lat"
                    type="number"
                    inputMode="decimal"
                    step="any"
                    min={-90}
                    max={90}
                    aria-invalid={invalid("area")}
                    aria-describedby={describedBy("area")}
                    value={draw.circle.lat}
                    onChange={(event) => dispatch({ type: "circleField", field: "lat", value: event.target.value })}
                  />
                </div>
                <div className="field">
                  <label htmlFor={ids.lon}>{t("caseLongitude")}</label>
                  <input
                    id={ids.lon}
                    data-testid="circle-lon"
                    type="number"
                    inputMode="decimal"
                    step="any"
                    min={-180}
                    max={180}
                    aria-invalid={invalid("area")}
                    value={draw.circle.lon}
                    onChange={(event) => dispatch({ type: "circleField", field: "lon", value: event.target.value })}
                  />
                </div>
                <div className="field">
                  <label htmlFor={ids.radius}>{t("caseRadius")}</label>
                  <input
                    id={ids.radius}
                    data-testid="circle-radius"
                    type="number"
                    inputMode="numeric"
                    step={1}
                    min={MIN_RADIUS_M}
                    max={MAX_RADIUS_M}
                    aria-invalid={invalid("area")}
                    value={draw.circle.radius}
                    onChange={(event) => dispatch({ type: "circleField", field: "radius", value: event.target.value })}
                  />
                </div>
              </div>
            ) : null}
            {areaStatus && (
              <p className="hint" aria-live="polite">
                {areaStatus}
              </p>
            )}
            {problemAt("area")}
          </fieldset>

          <fieldset className="case-fieldset">
            <legend>{t("caseWindow")}</legend>
            <div className="field-row">
              <div className="field">
                <label htmlFor={ids.window}>{t("caseFrom")}</label>
                <input
                  id={ids.window}
                  data-testid="window-from"
                  type="datetime-local"
                  step={60}
                  required
                  aria-invalid={invalid("window")}
                  aria-describedby={describedBy("window", ids.windowHint)}
                  value={form.from}
                  onChange={(event) => set("from", event.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor={ids.to}>{t("caseTo")}</label>
                <input
                  id={ids.to}
                  data-testid="window-to"
                  type="datetime-local"
                  step={60}
                  required
                  aria-invalid={invalid("window")}
                  aria-describedby={describedBy("window", ids.windowHint)}
                  value={form.to}
                  onChange={(event) => set("to", event.target.value)}
                />
              </div>
            </div>
            <p id={ids.windowHint} className="hint">
              {t("caseWindowHint", { hours: MAX_WINDOW_HOURS })}
            </p>
            <div className="actions">
              {WINDOW_PRESETS_H.map((hours) => (
                <button
                  key={hours}
                  type="button"
                  className="button"
                  data-testid={`window-preset-${hours}`}
                  onClick={() => setForm((previous) => ({ ...previous, ...presetWindow(hours, Date.now()) }))}
                >
                  {t("caseLastHours", { hours })}
                </button>
              ))}
            </div>
            {problemAt("window")}
          </fieldset>

          <fieldset className="case-fieldset">
            <legend>{t("caseFilters")}</legend>
            <CheckGroup
              nested
              legend={t("caseObjectClasses")}
              options={OBJECT_CLASSES.map((name: ObjectClass, index) => ({
                value: name,
                label: t(`class_${name}`),
                testId: `class-${name}`,
                id: `${ids.objectClasses}-${index}`,
              }))}
              checked={form.objectClasses}
              onToggle={(name, on) => set("objectClasses", toggle(form.objectClasses, name, on))}
            >
              {problemAt("objectClasses")}
            </CheckGroup>
            <CheckGroup
              nested
              legend={t("caseRuleTypes")}
              options={RULE_TYPES.map((name: RuleType, index) => ({
                value: name,
                label: t(`rule_${name}`),
                testId: `rule-${name}`,
                id: `${ids.ruleTypes}-${index}`,
              }))}
              checked={form.ruleTypes}
              onToggle={(name, on) => set("ruleTypes", toggle(form.ruleTypes, name, on))}
            >
              {problemAt("ruleTypes")}
            </CheckGroup>
            <div className="field">
              <label htmlFor={ids.plate}>{t("casePlate")}</label>
              <input
                id={ids.plate}
                data-testid="plate-input"
                autoComplete="off"
                spellCheck={false}
                maxLength={32}
                aria-invalid={invalid("plate")}
                aria-describedby={describedBy("plate", ids.plateHint)}
                value={form.plate}
                onChange={(event) => set("plate", event.target.value)}
              />
              <p id={ids.plateHint} className="hint">
                {t("casePlateHint")}
              </p>
              {problemAt("plate")}
            </div>
            <div className="field">
              <label htmlFor={ids.cameraIds}>{t("caseCameraIds")}</label>
              <input
                id={ids.cameraIds}
                data-testid="camera-ids-input"
                autoComplete="off"
                spellCheck={false}
                aria-invalid={invalid("cameraIds")}
                aria-describedby={describedBy("cameraIds", ids.cameraHint)}
                value={form.cameraIds}
                onChange={(event) => set("cameraIds", event.target.value)}
              />
              <p id={ids.cameraHint} className="hint">
                {t("caseCameraIdsHint")}
              </p>
              {problemAt("cameraIds")}
            </div>
            <div className="field">
              <label htmlFor={ids.incidentId}>{t("caseIncidentId")}</label>
              <input
                id={ids.incidentId}
                data-testid="incident-id-input"
                autoComplete="off"
                spellCheck={false}
                aria-invalid={invalid("incidentId")}
                aria-describedby={describedBy("incidentId", ids.incidentHint)}
                value={form.incidentId}
                onChange={(event) => set("incidentId", event.target.value)}
              />
              <p id={ids.incidentHint} className="hint">
                {t("caseIncidentIdHint")}
              </p>
              {problemAt("incidentId")}
            </div>
          </fieldset>

          {problemAt(null)}
          <div className="actions case-submit">
            <button
              type="submit"
              className="button primary"
              data-testid="search-button"
              disabled={!ready || busy}
              aria-describedby={`${ids.searchHelp} ${ids.auditNote}`}
            >
              {busy ? t("caseSearchingShort") : t("caseSearch")}
            </button>
          </div>
          <p id={ids.searchHelp} className="hint">
            {ready ? t("caseSearchReady") : t("caseSearchNeeds")}
          </p>
        </form>
      </section>

      <div className="case-main">
        <div className="case-map-area">
          <CaseMap
            config={config}
            draw={draw}
            dispatch={dispatch}
            cameras={searched?.result.cameras ?? NO_CAMERAS}
            selectedCameraId={selectedCameraId}
            onSelectCamera={selectCamera}
            fitKey={searched?.result.recordId ?? null}
            controllerRef={mapRef}
          />
        </div>
        {searched ? (
          <CaseResults
            key={searched.result.recordId}
            initial={searched.result}
            purpose={searched.purpose}
            selectedCameraId={selectedCameraId}
            onSelectCamera={selectCamera}
            onShowOnMap={showCamera}
          />
        ) : (
          <section className="panel case-empty" aria-labelledby={`${id}-results-empty`}>
            <h2 id={`${id}-results-empty`}>{t("caseResults")}</h2>
            <p className="muted">{busy ? t("caseSearching") : t("caseNoSearchYet")}</p>
          </section>
        )}
      </div>
    </main>
  );
}

const NO_CAMERAS: CaseSearchResult["cameras"] = [];

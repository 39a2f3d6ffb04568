import type { AlertSummary, ClientConfig, District, MessageView } from "@hub/contracts";
import { type AlertForm, LOCALIZED_FIELDS } from "../alerts/form";
import { useI18n } from "../i18n/I18nProvider";
import { AlertAreaMap } from "./AlertAreaMap";
import { AlertDeliveries } from "./AlertDeliveries";
import { AlertPreview } from "./AlertPreview";
import { AlertChangeActions } from "./alert-editor/AlertChangeActions";
import { AreaDrawing } from "./alert-editor/AreaDrawing";
import { AreaFields } from "./alert-editor/AreaFields";
import { CapChoices } from "./alert-editor/CapChoices";
import { CapScales } from "./alert-editor/CapScales";
import { EditorHead } from "./alert-editor/EditorHead";
import { EventCodes } from "./alert-editor/EventCodes";
import { fieldHelpers } from "./alert-editor/fields";
import { LocalizedInputs } from "./alert-editor/LocalizedInputs";
import { MessageActions } from "./alert-editor/MessageActions";
import { TimingFields } from "./alert-editor/TimingFields";
import type { EditorTarget, NewOrigin } from "./alert-editor/types";
import { useAlertEditor } from "./alert-editor/useAlertEditor";

export type { EditorTarget, NewOrigin } from "./alert-editor/types";

interface AlertEditorProps {
  target: EditorTarget;
  /** The alert the message belongs to, from the list (for Update and Cancel). */
  summary: AlertSummary | undefined;
  config: ClientConfig;
  districts: readonly District[];
  onCreated(message: MessageView): void;
  onOpenMessage(id: string): void;
  onStartNew(form: AlertForm, origin: NewOrigin): void;
  /** Something changed on the service: the lists are fetched again. */
  onChanged(): void;
  onClose(): void;
}

/**
 * One CAP message being drafted, reviewed or looked at: its head, the form (texts, CAP choices, times, event codes,
 * areas with a map to draw on), the actions, the preview and, once published, the deliveries. The state and the work
 * are in `useAlertEditor`; each part of the form is its own component in alert-editor/.
 */
export function AlertEditor({
  target,
  summary,
  config,
  districts,
  onCreated,
  onOpenMessage,
  onStartNew,
  onChanged,
  onClose,
}: AlertEditorProps) {
  const { t } = useI18n();
  const editor = useAlertEditor({ target, summary, districts, onCreated, onStartNew, onChanged });
  const { id, fieldId, message, form, setForm, dirty, busy, problem, editable, msgType, activeArea } = editor;
  const helpers = fieldHelpers(id, fieldId, problem);

  if (target.kind === "message" && !message) {
    return (
      <section className="panel alert-editor" aria-busy={editor.loadError ? undefined : "true"}>
        {editor.loadError ? (
          <p className="error" role="alert" data-testid="editor-error">
            {editor.loadError}
          </p>
        ) : (
          <p>{t("loading")}</p>
        )}
      </section>
    );
  }

  const headingId = `${id}-heading`;
  const heading =
    target.kind === "new" && !message ? t(`alertNewHeading_${msgType}`) : t(`alertMessageHeading_${msgType}`);
  const status = message?.status ?? "draft";
  const published = message?.status === "published";

  return (
    <section
      className="alert-editor"
      data-testid="alert-editor"
      data-message-id={message?.id ?? ""}
      data-alert-id={message?.alertId ?? (target.kind === "new" ? (target.alertId ?? "") : "")}
      data-status={message ? status : "new"}
      data-msg-type={msgType}
      data-revision={message?.revision ?? ""}
      data-dirty={dirty ? "true" : "false"}
      aria-labelledby={headingId}
    >
      <EditorHead
        headingId={headingId}
        heading={heading}
        message={message}
        summary={summary}
        msgType={msgType}
        severity={form.severity}
        incidentId={form.incidentId}
        dirty={dirty}
        onClose={onClose}
      />

      <form
        className="panel alert-form"
        data-testid="alert-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (editable) editor.save();
        }}
      >
        {!editable && (
          <p className="notice" data-testid="editor-readonly">
            {t("alertReadOnly")}
          </p>
        )}
        <fieldset className="plain-fieldset" disabled={!editable}>
          {LOCALIZED_FIELDS.map((name) => (
            <LocalizedInputs
              key={name}
              name={name}
              form={form}
              {...helpers}
              onChange={(language, value) =>
                setForm(
                  (previous) => ({ ...previous, [name]: { ...previous[name], [language]: value } }),
                  `${name}.${language}`,
                )
              }
            />
          ))}

          <CapScales
            form={form}
            {...helpers}
            onChange={(name, value) => setForm((previous) => ({ ...previous, [name]: value }), name)}
          />

          <CapChoices
            form={form}
            {...helpers}
            onCategories={(change) =>
              setForm((previous) => ({ ...previous, categories: change(previous.categories) }), "categories")
            }
            onResponseTypes={(change) =>
              setForm((previous) => ({ ...previous, responseTypes: change(previous.responseTypes) }), "responseTypes")
            }
          />

          <TimingFields
            form={form}
            hintId={`${id}-times-hint`}
            {...helpers}
            onChange={(name, value) => setForm((previous) => ({ ...previous, [name]: value }), name)}
          />

          <EventCodes
            codes={form.eventCodes}
            {...helpers}
            onChange={(eventCodes) => setForm((previous) => ({ ...previous, eventCodes }), "eventCodes")}
          />

          <section className="alert-areas" aria-labelledby={fieldId("areas")}>
            <h4 id={fieldId("areas")} tabIndex={-1}>
              {t("alertAreas")}
            </h4>
            <p className="hint">{t("alertAreasHint")}</p>
            {helpers.problemAt("areas")}
            {form.areas.map((item, index) => (
              <AreaFields
                key={item.key}
                index={index}
                area={item}
                active={index === activeArea}
                count={form.areas.length}
                districts={districts}
                districtOrder={editor.districtOrder}
                {...helpers}
                onActivate={() => editor.setActiveArea(index)}
                onChange={(change, field) => editor.updateArea(index, change, field)}
                onRemove={() => editor.removeArea(index)}
              />
            ))}
            <div className="actions">
              <button type="button" className="button" data-testid="add-area" onClick={editor.addArea}>
                {t("alertAddArea")}
              </button>
            </div>

            <AreaDrawing
              id={id}
              areaNumber={editor.areaIndex + 1}
              draw={editor.draw}
              dispatch={editor.dispatch}
              mapCentre={() => editor.mapRef.current?.centre()}
              canAdd={Boolean(editor.drawn && editor.area)}
              problem={editor.drawProblem}
              onAdd={editor.addDrawn}
            />
          </section>
        </fieldset>

        <div className="alert-map-area">
          <AlertAreaMap
            config={config}
            districts={districts}
            areas={form.areas}
            activeArea={activeArea}
            draw={editor.draw}
            dispatch={editor.dispatch}
            onDistrictClick={editor.toggleOnMap}
            fitKey={editor.fitKey}
            controllerRef={editor.mapRef}
          />
        </div>

        {editor.notice && (
          <p className="notice" role="status" data-testid="editor-notice">
            {editor.notice}
          </p>
        )}
        {helpers.problemAt(null)}

        <MessageActions
          actions={editor.actions}
          busy={busy}
          note={editor.note}
          onNote={editor.editNote}
          noteId={fieldId("note")}
          problemAt={helpers.problemAt}
          onDecide={editor.decide}
        />
        {(editor.alertActs.update.visible || editor.alertActs.cancel.visible) && (
          <AlertChangeActions
            update={editor.alertActs.update}
            cancel={editor.alertActs.cancel}
            busy={busy}
            pendingMessageId={summary?.pendingMessageId ?? null}
            onOpenPending={onOpenMessage}
            onChange={editor.change}
          />
        )}
      </form>

      <AlertPreview form={form} messageId={message?.id ?? null} revision={message?.revision ?? null} dirty={dirty} />
      {message && published && <AlertDeliveries message={message} />}
    </section>
  );
}

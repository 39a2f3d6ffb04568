import { API, VIDEO_ROLES, type VideoClip, type VideoClipRequest } from "@hub/contracts";
import { useEffect, useId, useRef, useState } from "react";
import type { ApiClient } from "../api";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import type { Loadable } from "./hooks";
import { useLive } from "./LiveContext";

/**
 * Video evidence in the dashboard (README "Video evidence"): a detection's snapshot thumbnail and an "open clip"
 * button that shows the clip's window, hash and still frames in a dialog. Every image is fetched with the user's
 * token through the gateway (which audits it); the recorder's address never reaches the browser. Shown only to the
 * roles that may see video.
 */

/** Why the video is looked at, sent with every request (the audit trail records it). */
export type VideoContext = { incidentId: string } | { caseReference: string; purpose: string };

export function canSeeVideo(roles: readonly string[]): boolean {
  return VIDEO_ROLES.some((role) => roles.includes(role));
}

function contextQuery(context: VideoContext): string {
  return new URLSearchParams(context as Record<string, string>).toString();
}

/** An object URL of an image the gateway serves, revoked when no longer shown. */
function useVideoImage(api: ApiClient, path: string | null): Loadable<string> {
  const [image, setImage] = useState<Loadable<string>>({ state: "loading" });
  useEffect(() => {
    if (!path) return;
    let cancelled = false;
    let url: string | null = null;
    setImage({ state: "loading" });
    api
      .videoImage(path)
      .then((blob) => {
        if (cancelled) return;
        url = URL.createObjectURL(blob);
        setImage({ state: "loaded", value: url });
      })
      .catch((error: unknown) => {
        if (!cancelled) setImage({ state: "failed", error });
      });
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [api, path]);
  return image;
}

function VideoImage({ path, alt, className }: { path: string; alt: string; className: string }) {
  const { t } = useI18n();
  const { api } = useLive();
  const image = useVideoImage(api, path);
  if (image.state === "loaded") return <img className={className} src={image.value} alt={alt} />;
  return (
    <span className={`${className} video-placeholder`} role="img" aria-label={alt}>
      {image.state === "failed" ? t("videoImageFailed") : t("loading")}
    </span>
  );
}

/** The still of a detection, as a small thumbnail. */
export function SnapshotThumbnail({
  cameraId,
  eventId,
  at,
  context,
}: {
  cameraId: string;
  eventId: string;
  at: string;
  context: VideoContext;
}) {
  const { t, format } = useI18n();
  return (
    <VideoImage
      className="video-thumbnail"
      path={`${API.detectionSnapshot(cameraId, eventId)}?${contextQuery(context)}`}
      alt={t("videoSnapshotAlt", { camera: cameraId, time: format.dateTime(at) })}
    />
  );
}

/** "Open clip": the clip of the camera around `at`, in a dialog. */
export function OpenClipButton({ cameraId, at, context }: { cameraId: string; at: string; context: VideoContext }) {
  const { t, format } = useI18n();
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  return (
    <>
      <button
        ref={opener}
        type="button"
        className="link-button"
        data-testid="open-clip"
        aria-label={t("videoOpenClipFor", { camera: cameraId, time: format.dateTime(at) })}
        onClick={() => setOpen(true)}
      >
        {t("videoOpenClip")}
      </button>
      {open && (
        <ClipViewer
          request={{ cameraId, at, ...context }}
          onClose={() => {
            setOpen(false);
            opener.current?.focus();
          }}
        />
      )}
    </>
  );
}

/** A modal dialog with the clip's window, the recorder's hash and its still frames. Escape or Close ends it. */
export function ClipViewer({ request, onClose }: { request: VideoClipRequest; onClose(): void }) {
  const { t, format } = useI18n();
  const { api } = useLive();
  const titleId = useId();
  const closeButton = useRef<HTMLButtonElement>(null);
  const [clip, setClip] = useState<Loadable<VideoClip>>({ state: "loading" });
  const { cameraId, at } = request;

  // biome-ignore lint/correctness/useExhaustiveDependencies: opened once per dialog; the request does not change
  useEffect(() => {
    let cancelled = false;
    api
      .openClip(request)
      .then((value) => {
        if (!cancelled) setClip({ state: "loaded", value });
      })
      .catch((error: unknown) => {
        if (!cancelled) setClip({ state: "failed", error });
      });
    return () => {
      cancelled = true;
    };
  }, [api]);

  useEffect(() => {
    closeButton.current?.focus();
    // Captured, and marked handled: the panel underneath (DetailPanel) closes on an Escape nobody handled.
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && !event.defaultPrevented) {
        event.preventDefault();
        onClose();
      }
    };
    document.addEventListener("keydown", onKey, true);
    return () => document.removeEventListener("keydown", onKey, true);
  }, [onClose]);

  return (
    <div className="dialog-backdrop">
      <div
        className="dialog clip-viewer"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid="clip-viewer"
      >
        <div className="dialog-header">
          <h2 id={titleId}>{t("videoClipTitle", { camera: cameraId, time: format.dateTime(at) })}</h2>
          <button ref={closeButton} type="button" className="button" onClick={onClose}>
            {t("videoClose")}
          </button>
        </div>
        {clip.state === "loading" && <p aria-live="polite">{t("loading")}</p>}
        {clip.state === "failed" && (
          <p role="alert" className="error">
            {t("videoClipFailed", { detail: describeError(clip.error).detail })}
          </p>
        )}
        {clip.state === "loaded" && (
          <>
            <dl className="clip-facts">
              <dt>{t("videoWindow")}</dt>
              <dd className="clip-fact" data-testid="clip-window">
                <time dateTime={clip.value.from}>{format.dateTime(clip.value.from)}</time> –{" "}
                <time dateTime={clip.value.to}>{format.dateTime(clip.value.to)}</time>
              </dd>
              <dt>{t("videoSource")}</dt>
              <dd className="clip-fact">
                {clip.value.source === "onvif" ? t("videoSourceOnvif") : (clip.value.recorderKind ?? "")}
              </dd>
              <dt>{t("videoHash")}</dt>
              <dd className="clip-fact hash" data-testid="clip-hash">
                {clip.value.sha256 ?? t("videoNoHash")}
              </dd>
            </dl>
            {clip.value.frames.length === 0 ? (
              <p className="muted">{t("videoNoFrames")}</p>
            ) : (
              <ol className="clip-frames" aria-label={t("videoFrames")}>
                {clip.value.frames.map((frame) => (
                  <li key={frame.at}>
                    <VideoImage
                      className="clip-frame"
                      path={frame.href}
                      alt={t("videoFrameAlt", { camera: cameraId, time: format.dateTime(frame.at) })}
                    />
                    <time dateTime={frame.at}>{format.time(frame.at)}</time>
                  </li>
                ))}
              </ol>
            )}
          </>
        )}
      </div>
    </div>
  );
}

/** A detection's video in a list row: its snapshot (when the recorder keeps one) and "open clip"; nothing otherwise. */
export function EvidenceVideo({
  cameraId,
  eventId,
  at,
  snapshot,
  context,
}: {
  cameraId: string;
  eventId: string;
  at: string;
  snapshot: boolean;
  context: VideoContext;
}) {
  const { user } = useLive();
  if (!canSeeVideo(user.roles)) return null;
  return (
    <span className="evidence-video" data-testid="evidence-video">
      {snapshot && <SnapshotThumbnail cameraId={cameraId} eventId={eventId} at={at} context={context} />}
      <OpenClipButton cameraId={cameraId} at={at} context={context} />
    </span>
  );
}

-- Video evidence (README "Video evidence"): where each camera's live and recorded video is, and how each site's
-- recorder is reached. Registered cameras say where their recordings are (an ONVIF Profile G device, or their name at
-- the site's recorder); the site's recorder URL templates (written by `npm run site:recorder`) turn a camera and a
-- window into URLs. The gateway reads both; only it ever fetches from a recorder, for audited views.
ALTER TABLE cameras
  ADD COLUMN live_uri text CHECK (length(live_uri) <= 1024),
  ADD COLUMN onvif_device_uri text CHECK (length(onvif_device_uri) <= 1024),
  ADD COLUMN recorder_camera text CHECK (length(recorder_camera) <= 128),
  ADD CONSTRAINT cameras_one_recording CHECK (onvif_device_uri IS NULL OR recorder_camera IS NULL);

CREATE TABLE site_recorders (
  site_id text PRIMARY KEY REFERENCES sites (id),
  kind text NOT NULL CHECK (kind IN ('frigate', 'milestone', 'zoneminder', 'generic')),
  -- A clip of {camera} from {from} to {to}; http(s).
  clip_url_template text NOT NULL CHECK (length(clip_url_template) <= 1024),
  -- A still frame of {camera} at {at} (optional; the clip viewer's frames).
  still_url_template text CHECK (length(still_url_template) <= 1024),
  -- How {from}, {to} and {at} are written: ISO 8601 (Milestone, generic) or Unix seconds (Frigate, ZoneMinder).
  time_format text NOT NULL CHECK (time_format IN ('iso8601', 'unix')),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

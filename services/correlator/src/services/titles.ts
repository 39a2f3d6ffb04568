import { TITLE_LANGUAGES, type Titles } from "./rules.js";

/**
 * An incident's title in each language, from its rule's titles and what the incident is about. The English one is
 * also the incident's `title` (the default, for readers that know one language only).
 */
const phrasing: Record<
  keyof Titles,
  { about(title: string, id: string): string; watchList(title: string, camera: string, reference: string): string }
> = {
  "zh-Hant": {
    about: (title, id) => `${title}：${id}`,
    watchList: (title, camera, reference) => `${title}（攝影機 ${camera}，${reference}）`,
  },
  pt: {
    about: (title, id) => `${title}: ${id}`,
    watchList: (title, camera, reference) => `${title} pela câmara ${camera} (${reference})`,
  },
  en: {
    about: (title, id) => `${title}: ${id}`,
    watchList: (title, camera, reference) => `${title} by camera ${camera} (${reference})`,
  },
};

function each(make: (language: keyof Titles) => string): Titles {
  return Object.fromEntries(TITLE_LANGUAGES.map((language) => [language, make(language)])) as Titles;
}

/** About one camera or sensor, e.g. "Camera fault: cam-1". */
export function aboutSource(titles: Titles, sourceId: string): Titles {
  return each((language) => phrasing[language].about(titles[language], sourceId));
}

/** A watch-listed plate seen by a camera, named by its watch-list reference (never by its text). */
export function watchListSighting(titles: Titles, cameraId: string, reference: string): Titles {
  return each((language) => phrasing[language].watchList(titles[language], cameraId, reference));
}

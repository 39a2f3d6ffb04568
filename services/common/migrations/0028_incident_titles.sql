-- An incident's title in each of the dashboard's languages (zh-Hant, pt, en), from its rule's titles. `title` stays
-- the English one (the default, for readers of one language). Rows written before this have no titles: readers
-- show `title` in every language (no backfill: 0014's redaction rewrites `title` alone, so a copy made here of a
-- title it has not yet redacted would keep a plate).
ALTER TABLE incidents ADD COLUMN titles jsonb CHECK (
  titles IS NULL
  -- coalesce: a missing key makes jsonb_typeof NULL, and a NULL check would pass.
  OR coalesce(
    jsonb_typeof(titles) = 'object'
    AND jsonb_typeof(titles -> 'zh-Hant') = 'string'
    AND jsonb_typeof(titles -> 'pt') = 'string'
    AND jsonb_typeof(titles -> 'en') = 'string',
    false
  )
);

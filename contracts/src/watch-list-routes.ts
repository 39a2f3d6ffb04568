import { z } from "zod";
import type { Route } from "./routes.js";
import {
  WATCH_LIST_APPROVER_ROLES,
  WATCH_LIST_PROPOSER_ROLES,
  WATCH_LIST_ROLES,
  watchListEntryViewSchema,
  watchListExtensionRequestSchema,
  watchListHitsQuerySchema,
  watchListHitViewSchema,
  watchListProposalSchema,
  watchListQuerySchema,
  watchListReasonRequestSchema,
} from "./watch-list.js";

const entry = (description: string, status = 200) => ({
  status,
  description,
  schema: watchListEntryViewSchema as z.ZodType,
});

/** The watch-list routes (README "Watch lists"), part of {@link ROUTES}. */
export const WATCH_LIST_ROUTES: readonly Route[] = [
  {
    method: "get",
    path: "/api/v1/watch-list",
    summary: "Watch-list entries, newest first (personal data: audited)",
    access: "signed-in",
    roles: WATCH_LIST_ROLES,
    query: watchListQuerySchema,
    response: { status: 200, description: "Entries", schema: z.array(watchListEntryViewSchema) },
  },
  {
    method: "post",
    path: "/api/v1/watch-list",
    summary: "Propose an entry; it matches once a supervisor other than the proposer approves it (audited)",
    access: "signed-in",
    roles: WATCH_LIST_PROPOSER_ROLES,
    body: watchListProposalSchema,
    response: entry("The pending entry", 201),
  },
  {
    method: "get",
    path: "/api/v1/watch-list/hits",
    summary: "Sightings of watched plates, newest first (personal data: audited)",
    access: "signed-in",
    roles: WATCH_LIST_ROLES,
    query: watchListHitsQuerySchema,
    response: { status: 200, description: "Hits", schema: z.array(watchListHitViewSchema) },
  },
  {
    method: "post",
    path: "/api/v1/watch-list/{id}/approve",
    summary: "Approve another person's proposal: the entry becomes active (audited)",
    access: "signed-in",
    roles: WATCH_LIST_APPROVER_ROLES,
    response: entry("The active entry"),
  },
  {
    method: "post",
    path: "/api/v1/watch-list/{id}/reject",
    summary: "Reject another person's proposal, with a reason (audited)",
    access: "signed-in",
    roles: WATCH_LIST_APPROVER_ROLES,
    body: watchListReasonRequestSchema,
    response: entry("The rejected entry"),
  },
  {
    method: "post",
    path: "/api/v1/watch-list/{id}/extension",
    summary: "Propose a later expiry for an active entry; a second person must approve it (audited)",
    access: "signed-in",
    roles: WATCH_LIST_ROLES,
    body: watchListExtensionRequestSchema,
    response: entry("The entry with its pending extension", 201),
  },
  {
    method: "post",
    path: "/api/v1/watch-list/{id}/extension/approve",
    summary: "Approve another person's extension: the entry's expiry moves (audited)",
    access: "signed-in",
    roles: WATCH_LIST_APPROVER_ROLES,
    response: entry("The entry"),
  },
  {
    method: "post",
    path: "/api/v1/watch-list/{id}/extension/reject",
    summary: "Reject another person's extension, with a reason (audited)",
    access: "signed-in",
    roles: WATCH_LIST_APPROVER_ROLES,
    body: watchListReasonRequestSchema,
    response: entry("The entry"),
  },
  {
    method: "post",
    path: "/api/v1/watch-list/{id}/remove",
    summary: "Remove a pending or active entry, with a reason: it stops matching at once (audited)",
    access: "signed-in",
    roles: WATCH_LIST_ROLES,
    body: watchListReasonRequestSchema,
    response: entry("The removed entry"),
  },
];

import { z } from "zod";
import { timeSchema } from "./common.js";
import { ROLES } from "./vocabulary.js";

export const loginRequestSchema = z
  .object({
    username: z
      .string({ error: "must be a string of 1..64 characters" })
      .min(1, "must be a string of 1..64 characters")
      .max(64, "must be a string of 1..64 characters"),
    password: z
      .string({ error: "must be a string of 1..256 characters" })
      .min(1, "must be a string of 1..256 characters")
      .max(256, "must be a string of 1..256 characters"),
  })
  .meta({ id: "LoginRequest" });
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const userViewSchema = z
  .object({ username: z.string(), displayName: z.string(), roles: z.array(z.enum(ROLES)) })
  .meta({ id: "UserView" });
export type UserView = z.infer<typeof userViewSchema>;

export const loginResponseSchema = z
  .object({
    /**
     * Short-lived bearer token (JWT) for REST (`authorization: Bearer …`) and the Socket.IO handshake
     * (`auth: { token }`); it names a server-side session, so signing out, a disabled account or changed roles end it
     * at once. Get a new one before `expiresAt` from the refresh endpoint.
     */
    token: z.string(),
    /** When `token` stops working (minutes away). */
    expiresAt: timeSchema,
    /**
     * Single use: the refresh endpoint answers with a new one. Presenting a used one again (a stolen copy, replayed)
     * ends the session.
     */
    refreshToken: z.string(),
    /** When the sign-in itself ends (a shift); refreshing cannot go past it. */
    sessionExpiresAt: timeSchema,
    user: userViewSchema,
  })
  .meta({ id: "LoginResponse" });
export type LoginResponse = z.infer<typeof loginResponseSchema>;

export const refreshRequestSchema = z
  .object({
    refreshToken: z
      .string({ error: "must be a string of 1..512 characters" })
      .min(1, "must be a string of 1..512 characters")
      .max(512, "must be a string of 1..512 characters"),
  })
  .meta({ id: "RefreshRequest" });
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

/** Why the server ended a session (sent to its open sockets before they are disconnected). */
export const SESSION_END_REASONS = [
  "signed_out",
  "user_disabled",
  "roles_changed",
  "refresh_token_reuse",
  "expired",
  "revoked",
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/** A dashboard account as an administrator sees it (never the password hash). */
export const userAccountViewSchema = z
  .object({
    username: z.string(),
    displayName: z.string(),
    roles: z.array(z.enum(ROLES)),
    disabledAt: timeSchema.nullable(),
  })
  .meta({ id: "UserAccountView" });
export type UserAccountView = z.infer<typeof userAccountViewSchema>;

const reasonSchema = z
  .string({ error: "must be a string of 1..500 characters" })
  .trim()
  .min(1, "must be a string of 1..500 characters")
  .max(500, "must be a string of 1..500 characters");

export const userRolesRequestSchema = z
  .strictObject({
    roles: z
      .array(z.enum(ROLES))
      .min(1, "must list at least one role")
      .refine((roles) => new Set(roles).size === roles.length, "must not repeat a role"),
    /** Recorded in the audit trail. */
    reason: reasonSchema,
  })
  .meta({ id: "UserRolesRequest" });
export type UserRolesRequest = z.infer<typeof userRolesRequestSchema>;

export const userStatusRequestSchema = z
  .strictObject({
    /** Recorded in the audit trail. */
    reason: reasonSchema,
  })
  .meta({ id: "UserStatusRequest" });
export type UserStatusRequest = z.infer<typeof userStatusRequestSchema>;

/** Public, unauthenticated: what the dashboard needs before sign-in. */
export const clientConfigSchema = z
  .object({
    /** A production style URL, when configured; otherwise the dashboard draws its offline base map. */
    mapStyleUrl: z.string().nullable(),
    mapAttribution: z.string(),
    /** Development mode shows the seeded sign-ins on the login form. */
    developmentUsers: z.array(z.object({ username: z.string(), password: z.string(), roles: z.array(z.enum(ROLES)) })),
    /** [lon, lat] (GeoJSON order). */
    center: z.tuple([z.number(), z.number()]),
    zoom: z.number(),
  })
  .meta({ id: "ClientConfig" });
export type ClientConfig = z.infer<typeof clientConfigSchema>;

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
    /** Bearer token (JWT) for REST (`authorization: Bearer …`) and the Socket.IO handshake (`auth: { token }`). */
    token: z.string(),
    expiresAt: timeSchema,
    user: userViewSchema,
  })
  .meta({ id: "LoginResponse" });
export type LoginResponse = z.infer<typeof loginResponseSchema>;

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

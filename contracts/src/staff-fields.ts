/**
 * Fields that staff decisions share (legal holds, watch lists): a police case reference as typed in the case
 * system, and a reason for the trail. Internal to the contracts package (not re-exported by its index).
 */
import { z } from "zod";

/** A case reference, e.g. "PJ-2026-004512": 3..64 characters, starting with a letter or digit. */
export const caseCodeSchema = z
  .string({ error: "is required (a string)" })
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9./_-]{2,63}$/, "must be 3..64 characters of A-Z, a-z, 0-9, '.', '/', '-', '_'");

/** Why a decision was taken: 10..500 characters. */
export const decisionReasonSchema = z
  .string({ error: "is required (a string)" })
  .trim()
  .min(10, "must be 10..500 characters")
  .max(500, "must be 10..500 characters");

/**
 * The longest side of an inline preview unless configured (STUDIO_PREVIEW_EDGE): said once, for the
 * setting's default (config/) and for makePreview (imaging.ts). A leaf, so that reading the configuration
 * does not load the imaging code.
 *
 * A 1K original within the byte budget is sent as it is: measured in issue 14 (200 results at once),
 * re-encoding it smaller to send fewer bytes cost more CPU (a full JPEG decode, ~10 ms each here) than the
 * bytes it saved.
 * @module
 */
export const DEFAULT_PREVIEW_EDGE = 1024;

/**
 * The session settings a page sets as attributes (`turn-detection`, `eagerness`, …): their names,
 * and the field each one is in a token or connect request (the reference server's names, which are
 * its environment variables' without `REALTIME_`). The GA session fields they become are the call
 * part's business (src/session/settings.ts); the core only sends them along with the request.
 */
// One string: the bundle's bytes (these names are in every page's first download).
export const SETTING_ATTRIBUTES = (
  'turn-detection eagerness vad-threshold silence-ms noise-reduction transcription-model input-language ' +
  'output-modalities max-output-tokens reasoning-effort prompt-id prompt-version prompt-variables'
).split(' ') as SettingAttribute[];

export type SettingAttribute =
  | 'turn-detection'
  | 'eagerness'
  | 'vad-threshold'
  | 'silence-ms'
  | 'noise-reduction'
  | 'transcription-model'
  | 'input-language'
  | 'output-modalities'
  | 'max-output-tokens'
  | 'reasoning-effort'
  | 'prompt-id'
  | 'prompt-version'
  | 'prompt-variables';

/** The page's settings as it set them: attribute text, or a property's number or object. */
export type PageSettings = Partial<Record<SettingAttribute, string | number | Record<string, string>>>;

/** Where the request field's name is not the attribute's own in snake case. */
const RENAMED: Partial<Record<SettingAttribute, string>> = {
  eagerness: 'vad_eagerness',
  'silence-ms': 'vad_silence_ms',
  'input-language': 'transcription_language',
};

/** The request field of a setting: `turn-detection` → `turn_detection`, `eagerness` → `vad_eagerness`. */
export const settingField = (attribute: SettingAttribute): string => RENAMED[attribute] ?? attribute.replace(/-/g, '_');

/** The element's property of a setting: `turn-detection` → `turnDetection`. */
export const settingProperty = (attribute: SettingAttribute): string =>
  attribute.replace(/-(.)/g, (_, letter: string) => letter.toUpperCase());

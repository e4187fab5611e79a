/**
 * Reading request bodies: the media types (and charset) each route takes,
 * and the parsers with their size limits. A body that cannot be read is the
 * client's doing: errors.ts answers body-parser's errors as such.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { HttpError } from './errors.js';
import { formFields } from './form-body.js';
import { SETTING_NAMES } from './session-defaults.js';

/** POST /token: JSON preferences (or none). */
export function tokenBody() {
  return [contentType(['application/json']), express.json({ limit: '16kb', strict: true })];
}

/** POST /connect: the offer as SDP, as JSON `{ sdp, ...preferences }`, or as a form. */
export function connectBody() {
  return [
    contentType(['application/sdp', 'application/json', 'multipart/form-data']),
    express.text({ type: 'application/sdp', limit: '64kb' }),
    express.json({ limit: '80kb', strict: true }),
    // Microsoft's sample browser code posts `FormData` with an `sdp` field.
    formFields({ names: ['sdp', 'voice', 'instructions', ...SETTING_NAMES], limitBytes: 80 * 1024 }),
  ];
}

/** Refuses (415) a body of another media type than `types`, or not in UTF-8. */
export function contentType(types: string[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!types.includes(type))
      return next(
        new HttpError(
          415,
          'unsupported_media_type',
          `Send ${types.join(' or ')}${type ? `, not ${type.slice(0, 60)}` : ''}.`,
        ),
      );
    // JSON and SDP between systems are UTF-8 (RFC 8259 §8.1, RFC 8866 §5). body-parser would also take
    // UTF-16, where an odd byte count silently decodes to an empty body, read as "no preferences".
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return next(new HttpError(415, 'unsupported_charset', 'This charset is not supported: send the body as UTF-8.'));
    }
    next();
  };
}

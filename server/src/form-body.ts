/**
 * `multipart/form-data` bodies of plain text fields (how Microsoft's sample browser code posts the
 * offer: `FormData` with an `sdp` field), read with busboy under the same kind of bounds as the
 * JSON and SDP bodies: a size cap on the whole body, a few named fields only, no files,
 * fields read as UTF-8 (busboy's default charset here; the request's own charset is checked before).
 * The fields become `req.body`, so the route validates them like a JSON body.
 */
import busboy from 'busboy';
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './errors.js';

export interface FormFieldsOptions {
  /** The fields a form may carry; any other field or a file part is refused. */
  names: readonly string[];
  /** Cap on the whole body, boundaries included. */
  limitBytes: number;
}

export function formFields({ names, limitBytes }: FormFieldsOptions) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) return next();
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defCharset: 'utf8',
        limits: { fields: names.length, fieldSize: limitBytes, files: 0, parts: names.length },
      });
    } catch {
      return next(
        new HttpError(
          400,
          'invalid_form',
          'The form has no boundary in its Content-Type: let the browser set it (post the FormData without a Content-Type header).',
        ),
      );
    }
    const fields: Record<string, string> = Object.create(null);
    let received = 0;
    let failed = false;
    const fail = (error: HttpError) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      req.resume(); // drain what is left, so the answer reaches the client
      next(error);
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) fail(new HttpError(413, 'payload_too_large', 'The request body is too large.'));
    });
    parser.on('field', (name, value, info) => {
      if (!names.includes(name))
        return fail(
          new HttpError(
            400,
            'unknown_field',
            `Unknown form field "${name.slice(0, 40)}": send only ${names.join(', ')}.`,
          ),
        );
      if (info.valueTruncated) return fail(new HttpError(413, 'payload_too_large', 'The request body is too large.'));
      if (name in fields)
        return fail(new HttpError(400, 'duplicate_field', `The form field "${name}" is there twice.`));
      fields[name] = value;
    });
    parser.on('file', (_name, stream) => {
      stream.resume();
      fail(
        new HttpError(
          400,
          'unsupported_form_part',
          'The form carries a file: send the offer as a text field named sdp.',
        ),
      );
    });
    parser.on('filesLimit', () =>
      fail(
        new HttpError(
          400,
          'unsupported_form_part',
          'The form carries a file: send the offer as a text field named sdp.',
        ),
      ),
    );
    parser.on('fieldsLimit', () =>
      fail(new HttpError(400, 'too_many_fields', `The form has too many fields: send only ${names.join(', ')}.`)),
    );
    parser.on('partsLimit', () =>
      fail(new HttpError(400, 'too_many_fields', `The form has too many fields: send only ${names.join(', ')}.`)),
    );
    parser.on('error', () =>
      fail(new HttpError(400, 'invalid_form', 'The request body is not a readable multipart form.')),
    );
    parser.on('close', () => {
      if (failed) return;
      req.body = { ...fields };
      next();
    });
    req.pipe(parser);
  };
}

import { AppError } from '../../../errors';

/** CKAN's error types (the `__type` clients such as ckanapi turn back into exceptions). */
export type CkanErrorType = 'Not Found Error' | 'Validation Error' | 'Authorization Error' | 'Search Query Error' | 'Bad Request' | 'Internal Error';

/** An error of the CKAN action API, answered in CKAN's envelope with its status. */
export class CkanError extends AppError {
  constructor(
    readonly type: CkanErrorType,
    status: number,
    message: string,
    messageEn: string = message,
    /** Validation errors: field → messages, as CKAN sends them beside `__type`. */
    readonly fields?: Record<string, string[]>,
  ) {
    super(status, type.toLowerCase().replace(/ /g, '_'), message, messageEn);
  }
}

/** CKAN's type and status for one of our typed errors. */
export function ckanTypeOf(err: AppError): { type: CkanErrorType; status: number } {
  if (err instanceof CkanError) return { type: err.type, status: err.status };
  if (err.status === 404) return { type: 'Not Found Error', status: 404 };
  if (err.status === 401 || err.status === 403) return { type: 'Authorization Error', status: 403 };
  if (err.status === 400 || err.status === 409) return { type: 'Validation Error', status: 409 };
  if (err.status === 413 || err.status === 429) return { type: 'Bad Request', status: err.status };
  return { type: 'Internal Error', status: 500 };
}

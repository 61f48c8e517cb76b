import { FAULT_CODE, type HttpErrorBody } from '../../contract/error-codes.ts';
import { recognizeError } from './recognize-error.ts';
import { errorTable, faultMessage } from './error-table.ts';

export interface HttpError {
  status: number;
  body: HttpErrorBody;
}

/**
 * The status and JSON body of a plain HTTP error answer. A domain error (or a
 * database failure that is one, see recognize-error.ts) sends its code,
 * message and details; anything else is a fault, masked (the caller logs it).
 */
export function toHttpError(error: unknown): HttpError {
  const appError = recognizeError(error);
  if (!appError) return { status: errorTable[FAULT_CODE].httpStatus, body: { error: { code: FAULT_CODE, message: faultMessage } } };
  return {
    status: errorTable[appError.code].httpStatus,
    body: { error: { code: appError.code, message: appError.message, ...appError.details } as HttpErrorBody['error'] },
  };
}

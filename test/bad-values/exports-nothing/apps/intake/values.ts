import { service } from '../../lib';

// Forgot the default export.
export const values = service({} as never);

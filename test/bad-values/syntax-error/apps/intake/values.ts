import { service } from '../../lib';

// A missing closing brace.
export default service({ name: 'intake', team: 'care-records' ;

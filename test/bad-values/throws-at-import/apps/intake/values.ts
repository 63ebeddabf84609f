import { service } from '../../lib';

// A values file that throws while it loads.
const replicas = Number(process.env.INTAKE_REPLICAS ?? 'x');
if (Number.isNaN(replicas)) throw new Error('INTAKE_REPLICAS is not set');

export default service({} as never);

// Exports null instead of service({...}).
export default null;

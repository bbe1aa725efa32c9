/** `@lockstep/genesys-sim`: the simulator runs as a process (`main.ts`); this names what others may read. */
export { loadConfig, SIM_ENV_VARIABLES, type SimConfig, SimConfigError } from './config.js';

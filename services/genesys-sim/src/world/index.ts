export {
  type AgentTruth,
  type CreateWorldOptions,
  type OAuthClientSpec,
  type RoutingStatusValue,
  type ScheduleActivitySpec,
  SimApiError,
  type SimWorld,
  type SystemPresence,
  type TransportFault,
  type UsersQuery,
  type WorldAction,
  type WorldEvent,
} from './contract.js';
export { createWorld } from './create-world.js';
export { loadScenario, type Scenario } from '../scenario/index.js';
export { SYSTEM_PRESENCE_IDS } from './presence-definitions.js';

export { ScenarioError, type ScenarioErrorCode, type ScenarioIssue } from './errors.js';
export { type ExpandedAgent, expandAgents } from './expand-agents.js';
export {
  isValidatedScenario,
  loadScenario,
  parseScenario,
  SHIPPED_SCENARIO_DIR,
  shippedScenarioNames,
} from './load.js';
export {
  ACTIVITY_CATEGORIES,
  type ActivityCategory,
  type AgentBehaviour,
  type PlatformOptions,
  type Scenario,
  type ScenarioAgent,
  type ScenarioAgentGroup,
  scenarioSchema,
  type TimelineEntry,
} from './schema.js';

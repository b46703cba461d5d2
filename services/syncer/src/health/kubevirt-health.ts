import { degraded, healthy, progressing, suspended, unknown, type HealthAssessment } from './health-assessment.ts';
import { booleanAt, findCondition, generationLag, joinMessages, stringAt, type LiveObject } from './live-object-fields.ts';

// KubeVirt's status.printableStatus values (kubevirt.io/api core/v1 VirtualMachinePrintableStatus).
const vmErrorStatuses = new Set([
  'CrashLoopBackOff', 'ErrorUnschedulable', 'ErrImagePull', 'ImagePullBackOff', 'ErrorPvcNotFound',
  'ErrorDataVolumeNotFound', 'DataVolumeError',
]);
const vmTransitionalStatuses = new Set([
  'Provisioning', 'Starting', 'Stopping', 'Terminating', 'Migrating', 'WaitingForVolumeBinding', 'WaitingForReceiver',
]);
// Statuses KubeVirt may add later are judged by their name: Err*/…Error/…BackOff/…NotFound are failures.
const vmFailureName = /^Err|Error|BackOff|NotFound|Unschedulable/;

/**
 * VirtualMachine (kubevirt.io/v1), from printableStatus, the desired run state (spec.running or
 * spec.runStrategy) and the Ready/Paused conditions, refining Argo CD's resource customization:
 * - spec not yet observed (status.observedGeneration) → Progressing; Paused → Suspended;
 * - Running → Healthy (Progressing while Ready is False, or while a Halted VM is stopping);
 * - Stopped on purpose (running: false, runStrategy Halted, or Manual/Once/RerunOnFailure after a stop) →
 *   Suspended; Stopped while it should run (running: true, runStrategy Always) → Progressing: KubeVirt is about
 *   to start it;
 * - ErrorUnschedulable, ErrImagePull, ImagePullBackOff, CrashLoopBackOff, ErrorPvcNotFound,
 *   ErrorDataVolumeNotFound, DataVolumeError → Degraded;
 * - Provisioning, Starting, Stopping, Terminating, Migrating, WaitingForVolumeBinding → Progressing;
 * - printableStatus Unknown (KubeVirt lost track of the VMI) → Unknown.
 */
export function virtualMachineHealth(machine: LiveObject): HealthAssessment {
  const lag = generationLag(machine);
  if (lag) return progressing(`Waiting for KubeVirt to observe generation ${lag.generation} (observed ${lag.observed})`);

  const printableStatus = stringAt(machine, 'status', 'printableStatus');
  const ready = findCondition(machine, 'Ready');
  const runStrategy = runStrategyOf(machine);
  if (findCondition(machine, 'Paused')?.status === 'True' || printableStatus === 'Paused') return suspended('Paused');

  if (printableStatus !== undefined && (vmErrorStatuses.has(printableStatus) || vmFailureName.test(printableStatus))) {
    const failure = findCondition(machine, 'Failure');
    const detail = failure?.message ?? (ready?.status === 'False' && ready.reason !== 'VMINotExists' ? ready.message : undefined);
    return degraded(joinMessages([printableStatus, detail], ': '));
  }
  switch (printableStatus) {
    case 'Running':
      if (runStrategy === 'Halted') return progressing('Running; waiting for the VM to stop');
      if (ready?.status === 'False') return progressing(joinMessages(['Running, not ready', ready.message], ': '));
      return healthy('Running');
    case 'Stopped':
      return runStrategy === 'Always' ? progressing('Stopped; waiting for KubeVirt to start it') : suspended('Stopped');
    case 'Unknown':
      return unknown('KubeVirt reports the VM state as Unknown');
    case undefined:
      if (runStrategy === 'Halted' || runStrategy === 'Manual') return suspended('Stopped');
      if (ready?.status === 'True') return healthy('Running');
      return progressing('No status available yet');
    default:
      if (vmTransitionalStatuses.has(printableStatus)) return progressing(printableStatus);
      if (ready?.status === 'True') return healthy(printableStatus);
      return progressing(printableStatus);
  }
}

/**
 * The run strategy, with the deprecated spec.running mapped onto it (true = Always, false = Halted). Always keeps
 * the VM running; Halted keeps it stopped; Manual, Once and RerunOnFailure may rest stopped once started.
 */
function runStrategyOf(machine: LiveObject): string {
  const running = booleanAt(machine, 'spec', 'running');
  if (running !== undefined) return running ? 'Always' : 'Halted';
  return stringAt(machine, 'spec', 'runStrategy') ?? 'Halted';
}

/**
 * VirtualMachineInstance: Pending/Scheduling/Scheduled → Progressing, Running → Healthy when Ready, Paused →
 * Suspended, Succeeded (guest shut down) → Suspended, Failed → Degraded, Unknown → Unknown.
 */
export function virtualMachineInstanceHealth(instance: LiveObject): HealthAssessment {
  const phase = stringAt(instance, 'status', 'phase');
  const ready = findCondition(instance, 'Ready');
  if (findCondition(instance, 'Paused')?.status === 'True') return suspended('Paused');
  switch (phase) {
    case 'Running':
      return ready?.status === 'False' ? progressing(joinMessages(['Running, not ready', ready.message], ': ')) : healthy('Running');
    case 'Succeeded':
      return suspended('The guest has shut down');
    case 'Failed':
      return degraded(ready?.message ?? 'The virtual machine instance failed');
    case 'Unknown':
      return unknown('KubeVirt reports the instance state as Unknown');
    case undefined:
    case '':
      return progressing('No status available yet');
    default:
      return progressing(phase);
  }
}

/**
 * DataVolume (cdi.kubevirt.io/v1beta1), after Argo CD's resource customization:
 * - Succeeded → Healthy; Failed → Degraded; Paused → Suspended; Unknown → Unknown;
 * - the Running condition False with reason Error (bad URL, unreachable registry) → Degraded with its message,
 *   even while CDI keeps retrying the import;
 * - WaitForFirstConsumer / PendingPopulation → Healthy: with a WaitForFirstConsumer storage class the volume is
 *   populated only once a VM uses it. That is the steady state of a stopped VM's disk, and a starting VM shows
 *   its own WaitingForVolumeBinding/Provisioning, so the wait is reported once, on the VM (Argo CD's check
 *   would leave such an application Progressing forever);
 * - everything else (Pending, ImportScheduled, ImportInProgress, CloneInProgress, UploadReady, …) → Progressing.
 */
export function dataVolumeHealth(dataVolume: LiveObject): HealthAssessment {
  const phase = stringAt(dataVolume, 'status', 'phase');
  const running = findCondition(dataVolume, 'Running');
  switch (phase) {
    case 'Succeeded':
      return healthy('Succeeded');
    case 'Failed':
      return degraded(joinMessages(['Failed', running?.message], ': '));
    case 'Paused':
      return suspended('Paused');
    case 'Unknown':
      return unknown('CDI reports the DataVolume phase as Unknown');
    case 'WaitForFirstConsumer':
    case 'PendingPopulation':
      return healthy(`${phase}: the volume is populated when a VM first uses it`);
  }
  if (running?.status === 'False' && running.reason === 'Error') return degraded(joinMessages([phase, running.message], ': '));
  if (phase === undefined || phase === '') return progressing('No status available yet');
  const progress = stringAt(dataVolume, 'status', 'progress');
  return progressing(progress && progress !== 'N/A' ? `${phase} ${progress}` : phase);
}

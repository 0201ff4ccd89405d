// The slice of HelperClient the capture and topology services use, so unit tests can
// hand in a fake and the services do not depend on how the client spawns the helper.
import type { HelperEvent, HelperEventData, HelperOp, HelperParams, HelperResult } from '../../../shared/helper-protocol';

export interface HelperStatus {
  available: boolean;
  mode: 'root' | 'helper' | 'none';
  error?: { code: string; message: string };
}

export interface HelperPort {
  /** Resolves with the op's result (validated against its schema); rejects with a CodedError. */
  request<O extends HelperOp>(op: O, params: HelperParams<O>): Promise<HelperResult<O>>;
  on<E extends HelperEvent>(event: E, listener: (data: HelperEventData<E>) => void): () => void;
  status(): HelperStatus;
  /** Called whenever the helper process exits; running captures are over then. */
  onExitEvent(listener: () => void): () => void;
  /** Start it again after a refused prompt or a crash. */
  start(): Promise<void>;
  /** A capture this port runs without the helper (as the user, over ssh): the helper's exit does not end it. */
  runsWithoutHelper?(captureId: string): boolean;
}

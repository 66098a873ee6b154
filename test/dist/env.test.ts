// Ranks from the launchers' variables: downhill's own, a Kubernetes Indexed Job, Slurm's srun, Open MPI's mpirun;
// DOWNHILL_* overriding; Slurm hostlists; and every wrong or missing variable named with what to set.
import { describe, expect, it } from 'vitest';
import { firstHost, rankEnv, rendezvousTimeout, timingOf } from '../../src/dist/env';

describe('rankEnv', () => {
  it('is null without a launcher', () => {
    expect(rankEnv({ HOME: '/root', SLURM_PROCID: '0' })).toBeNull();
  });

  it('reads downhill\'s variables (torchrun-style)', () => {
    expect(rankEnv({ DOWNHILL_RANK: '1', DOWNHILL_WORLD_SIZE: '4', DOWNHILL_MASTER_ADDR: '10.0.0.1', DOWNHILL_MASTER_PORT: '29500', DOWNHILL_LOCAL_RANK: '1' }))
      .toEqual({ rank: 1, size: 4, launcher: 'downhill', masterAddr: '10.0.0.1', masterPort: 29500, bindAddr: null, localRank: 1, localSize: null, jobKey: null });
  });

  it('reads a Kubernetes Indexed Job: the index, the completions and the headless Service name given in the Job', () => {
    const e = rankEnv({ JOB_COMPLETION_INDEX: '3', DOWNHILL_WORLD_SIZE: '4', DOWNHILL_MASTER_ADDR: 'train-0.train', DOWNHILL_MASTER_PORT: '29500', DOWNHILL_BIND_ADDR: '0.0.0.0' });
    expect(e).toMatchObject({ rank: 3, size: 4, launcher: 'kubernetes', masterAddr: 'train-0.train', bindAddr: '0.0.0.0' });
    expect(() => rankEnv({ JOB_COMPLETION_INDEX: '0' })).toThrow(/completions.*DOWNHILL_WORLD_SIZE/);
  });

  it('reads Slurm\'s srun: the rank, the step\'s tasks, its first node and a port from the job id', () => {
    const e = rankEnv({ SLURM_PROCID: '5', SLURM_STEP_NUM_TASKS: '8', SLURM_NTASKS: '8', SLURM_STEP_NODELIST: 'gpu[07-09,12],cpu1', SLURM_JOB_ID: '123456', SLURM_LOCALID: '1' });
    expect(e).toMatchObject({ rank: 5, size: 8, launcher: 'slurm', masterAddr: 'gpu07', localRank: 1 });
    expect(e!.masterPort).toBeGreaterThanOrEqual(20000);
    expect(e!.masterPort).toBeLessThan(32000);
    expect(rankEnv({ SLURM_PROCID: '0', SLURM_STEP_NUM_TASKS: '2', SLURM_STEP_NODELIST: 'a', SLURM_JOB_ID: '9', DOWNHILL_MASTER_PORT: '4000' })!.masterPort).toBe(4000);
  });

  it('reads Open MPI\'s mpirun: one machine talks over loopback with the job\'s own key; several need the master address', () => {
    const one = { OMPI_COMM_WORLD_RANK: '2', OMPI_COMM_WORLD_SIZE: '4', OMPI_COMM_WORLD_LOCAL_SIZE: '4', OMPI_COMM_WORLD_LOCAL_RANK: '2', OMPI_MCA_ess_base_jobid: '1104412673', OMPI_MCA_orte_precondition_transports: 'k' };
    expect(rankEnv(one)).toMatchObject({ rank: 2, size: 4, launcher: 'openmpi', masterAddr: '127.0.0.1', localRank: 2, localSize: 4, jobKey: 'k' });
    expect(() => rankEnv({ ...one, OMPI_COMM_WORLD_LOCAL_SIZE: '2' })).toThrow(/several machines: set DOWNHILL_MASTER_ADDR/);
  });

  it('names what is wrong', () => {
    expect(() => rankEnv({ DOWNHILL_RANK: 'one', DOWNHILL_WORLD_SIZE: '2' })).toThrow('DOWNHILL_RANK must be a whole number from 0 to 2147483647, got "one"');
    expect(() => rankEnv({ DOWNHILL_RANK: '0' })).toThrow(/set DOWNHILL_WORLD_SIZE/);
    expect(() => rankEnv({ DOWNHILL_RANK: '0', DOWNHILL_WORLD_SIZE: '2', DOWNHILL_MASTER_ADDR: 'h' })).toThrow(/DOWNHILL_MASTER_PORT/);
    expect(() => rankEnv({ DOWNHILL_RANK: '0', DOWNHILL_WORLD_SIZE: '2', DOWNHILL_MASTER_PORT: '1' })).toThrow(/set DOWNHILL_MASTER_ADDR/);
    expect(() => rankEnv({ DOWNHILL_RANK: '0', DOWNHILL_WORLD_SIZE: '2', DOWNHILL_MASTER_ADDR: 'h', DOWNHILL_MASTER_PORT: '70000' })).toThrow(/from 1 to 65535/);
    expect(rankEnv({ DOWNHILL_RANK: '0', DOWNHILL_WORLD_SIZE: '1' })).toMatchObject({ rank: 0, size: 1 });
  });
});

describe('Slurm hostlists', () => {
  it.each([['n1', 'n1'], ['gpu[07-09,12],cpu1', 'gpu07'], ['rack[1-2]-n[01-04]', 'rack1-n01'], ['a,b[1-3]', 'a'], ['x[3]', 'x3']])('%s → %s', (list, first) => {
    expect(firstHost(list)).toBe(first);
  });
});

describe('time limits', () => {
  it('default to a heartbeat a second, 10 s of silence, 30 minutes a message, 10 minutes to meet; seconds when set', () => {
    expect(timingOf({})).toEqual({ heartbeat: 1000, peerTimeout: 10_000, opTimeout: 1_800_000 });
    expect(timingOf({ DOWNHILL_HEARTBEAT: '0.2', DOWNHILL_PEER_TIMEOUT: '2' })).toMatchObject({ heartbeat: 200, peerTimeout: 2000 });
    expect(() => timingOf({ DOWNHILL_PEER_TIMEOUT: '1.5' })).toThrow(/at least twice DOWNHILL_HEARTBEAT/);
    expect(() => timingOf({ DOWNHILL_COLLECTIVE_TIMEOUT: '-1' })).toThrow(/DOWNHILL_COLLECTIVE_TIMEOUT/);
    expect(rendezvousTimeout({})).toBe(600_000);
  });
});

use super::*;
use compute_primitives::DeterminismClass;
use frame_support::assert_noop;

fn refuse(spec: JobSpecOf<Test>, error: Error<Test>) {
    let before = Snapshot::all();
    assert_noop!(Jobs::submit_job(signed(ALICE), Box::new(spec)), error);
    before.assert_unchanged_except(&[]);
}

#[test]
fn assigns_a_job_to_sampled_providers() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3, P4]);
        let before = Snapshot::all();
        let job_id = submit(ALICE, spec(kernel));
        assert_eq!(job_id, 0);
        let job = job(job_id);
        assert_eq!(job.deadline, 2 + 5, "the commit window, from the block after the submission");
        assert_eq!(job.submitted_at, 1);
        let chosen = assigned(job_id);
        for p in [P1, P2, P3, P4] {
            assert_eq!(slots(p), u32::from(chosen.contains(&p)));
        }
        assert!(job.replicas.iter().all(|r| r.commitment.is_none() && r.revealed.is_none()));
        assert_eq!(Assignments::<Test>::iter().count(), 3);
        before.assert_unchanged_except(&[ALICE]);
        assert_eq!(escrow_hold(ALICE), ESCROW + FEE);
        // The next job gets the next id.
        assert_eq!(submit(BOB, spec(kernel)), 1);
    });
}

#[test]
fn queues_a_job_that_finds_too_few_providers() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2]);
        let before = Snapshot::all();
        let job_id = submit(ALICE, spec(kernel));
        let job = job(job_id);
        assert_eq!(job.phase, JobPhase::Queued);
        assert_eq!(job.deadline, 1 + 10, "the queue window");
        assert_eq!(Queue::<Test>::get().into_inner(), vec![job_id]);
        // Nothing of the failed assignment is left behind.
        assert_eq!((slots(P1), slots(P2)), (0, 0));
        assert_eq!(Assignments::<Test>::iter().count(), 0);
        before.assert_unchanged_except(&[ALICE]);
    });
}

#[test]
fn assignment_respects_the_hardware_needs_and_the_asks() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3]);
        register_provider(P4, MockProvider { vram_mib: 512, ..provider(STAKE) });
        register_provider(P5, MockProvider { ask: REWARD + 1, ..provider(STAKE) });
        for _ in 0..3 {
            let job_id = submit(ALICE, spec(kernel));
            let mut chosen = assigned(job_id);
            chosen.sort();
            assert_eq!(chosen, vec![P1, P2, P3]);
        }
        // A floating-point job only among providers of its class.
        let mut float = spec(kernel);
        float.needs.determinism_class = Some(DeterminismClass([9; 16]));
        let job_id = submit(BOB, float.clone());
        assert_eq!(job(job_id).phase, JobPhase::Queued);
        for p in [P1, P2, P3] {
            register_provider(p + 10, MockProvider { class: DeterminismClass([9; 16]), ..provider(STAKE) });
        }
        float.needs.determinism_class = Some(CLASS);
        // P4 lacks memory, P5 asks too much, the new ones are of another class: only P1..P3 (one slot left
        // each) qualify.
        let job_id = submit(BOB, float);
        let mut chosen = assigned(job_id);
        chosen.sort();
        assert_eq!(chosen, vec![P1, P2, P3]);
    });
}

#[test]
fn assigns_without_randomness_from_the_parent_hash() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3, P4, P5]);
        RandomnessAvailable::set(false);
        let seed = Jobs::assignment_seed(0, 1);
        assert_eq!(
            seed,
            sp_io::hashing::blake2_256(&codec::Encode::encode(&(System::parent_hash(), 0u64, 1u64)))
        );
        let job_id = submit(ALICE, spec(kernel));
        assert_eq!(job(job_id).phase, JobPhase::Committing);
        RandomnessAvailable::set(true);
        assert_ne!(Jobs::assignment_seed(0, 1), seed);
        assert_ne!(Jobs::assignment_seed(1, 1), Jobs::assignment_seed(0, 1), "per job");
        assert_ne!(Jobs::assignment_seed(0, 2), Jobs::assignment_seed(0, 1), "per block");
    });
}

#[test]
fn accepts_the_limits() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        for p in [P1, P2, P3, P4, P5] {
            register_provider(p, MockProvider { capacity: 10, ..provider(STAKE) });
        }
        let mut big = spec(kernel);
        big.entry_point = bounded(&[b'a'; compute_primitives::MAX_ENTRY_POINT_LEN as usize]);
        big.inputs = BoundedVec::truncate_from(vec![
            JobInput::Inline(bounded(&[1; MAX_INLINE as usize])),
            JobInput::Generated { seed: [1; 32], len: MAX_GENERATED },
            JobInput::Inline(bounded(&[2])),
            JobInput::Generated { seed: [2; 32], len: 1 },
        ]);
        big.params = bounded(&[0; compute_primitives::MAX_PARAMS_LEN as usize]);
        big.output_len = MAX_OUTPUT;
        // A large budget that a `MAX_WINDOW` commit window allows (`MIN_WINDOW` blocks of it are the
        // inclusion time): 4 096 workgroups of 256 invocations of a 228-byte kernel take 15 blocks.
        big.workgroups = [MAX_WORKGROUPS, 4, 1];
        big.replicas = MAX_REPLICAS as u8;
        big.quorum = 3;
        big.commit_window = MAX_WINDOW;
        big.reveal_window = MAX_WINDOW;
        big.queue_window = MAX_QUEUE_WINDOW;
        submit(ALICE, big.clone());
        let mut small = spec(kernel);
        small.inputs = Default::default();
        small.output_len = 4;
        small.workgroups = [1, 1, 1];
        small.replicas = 1;
        small.quorum = 1;
        small.reward_per_replica = MIN_REWARD;
        // The inclusion time and one block of compute, however little the job needs.
        small.commit_window = MIN_WINDOW + 1;
        small.reveal_window = MIN_WINDOW;
        small.queue_window = 1;
        submit(ALICE, small);
        // Quorum: all of 2, 3 of 4 or 5.
        for (replicas, quorum) in [(2, 2), (4, 3), (5, 5)] {
            let mut s = spec(kernel);
            s.replicas = replicas;
            s.quorum = quorum;
            submit(BOB, s);
        }
    });
}

#[test]
fn refuses_an_unknown_kernel() {
    ExtBuilder::default().build_and_execute(|| {
        providers(&[P1, P2, P3]);
        refuse(spec(kernel_id(b"not registered")), Error::<Test>::KernelNotFound);
    });
}

#[test]
fn refuses_an_invalid_entry_point() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3]);
        for name in [&b""[..], b"1main", b"_", b"__main", b"ma-in", b"m\xc3\xa4in"] {
            let mut s = spec(kernel);
            s.entry_point = bounded(name);
            refuse(s, Error::<Test>::InvalidEntryPoint);
        }
    });
}

#[test]
fn refuses_invalid_inputs() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3]);
        // Inline inputs above `MaxInlineInput` do not decode: the type bound is the limit.
        for (input, error) in [
            (JobInput::Inline(bounded(&[])), Error::<Test>::EmptyInput),
            (JobInput::Generated { seed: [0; 32], len: 0 }, Error::<Test>::EmptyInput),
            (
                JobInput::Generated { seed: [0; 32], len: MAX_GENERATED + 1 },
                Error::<Test>::GeneratedInputTooLarge,
            ),
        ] {
            let mut s = spec(kernel);
            s.inputs = BoundedVec::truncate_from(vec![JobInput::Inline(bounded(&[1])), input]);
            refuse(s, error);
        }
    });
}

#[test]
fn refuses_an_invalid_output_length() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3]);
        for len in [0, 6, MAX_OUTPUT + 4] {
            let mut s = spec(kernel);
            s.output_len = len;
            refuse(s, Error::<Test>::InvalidOutputLength);
        }
    });
}

#[test]
fn refuses_invalid_workgroups() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3]);
        for workgroups in [[0, 1, 1], [1, 0, 1], [1, 1, 0], [MAX_WORKGROUPS + 1, 1, 1], [1, 1, u32::MAX]] {
            let mut s = spec(kernel);
            s.workgroups = workgroups;
            refuse(s, Error::<Test>::InvalidWorkgroups);
        }
    });
}

/// Finding 7 of the sound-economics review: the worker's wall-clock limit decided a job's result, and the
/// shortest commit window was shorter than that limit. Now a job carries a deterministic budget, `fuel`,
/// and its commit window must leave the slowest admitted provider the time the whole budget takes.
#[test]
fn the_commit_window_covers_the_budget() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3, P4, P5]);
        let mut s = spec(kernel);
        s.fuel = MAX_FUEL + 1;
        refuse(s.clone(), Error::<Test>::InvalidFuel);
        // 8 workgroups × 256 invocations × 101 steps × 228 bytes of kernel: 2.8 blocks of
        // `BYTE_STEPS_PER_BLOCK`, rounded up.
        s.fuel = 100;
        assert_eq!(s.compute_steps(), 206_848);
        assert_eq!(KERNEL.len(), 228);
        assert_eq!(Jobs::min_commit_window(&s), Some(MIN_WINDOW + 3));
        s.commit_window = MIN_WINDOW + 2;
        refuse(s.clone(), Error::<Test>::CommitWindowTooShort);
        s.commit_window = MIN_WINDOW + 3;
        submit(ALICE, s.clone());
        // The same budget on a kernel four times as long needs four times the blocks of compute.
        let mut long = KERNEL.to_vec();
        long.resize(4 * KERNEL.len(), b' ');
        assert_ok!(Jobs::register_kernel(signed(OWNER), bounded(&long)));
        let mut on_long = s.clone();
        on_long.kernel = kernel_id(&long);
        assert_eq!(Jobs::min_commit_window(&on_long), Some(MIN_WINDOW + 12));
        refuse(on_long, Error::<Test>::CommitWindowTooShort);
        // The most fuel on the most workgroups takes longer than `MAX_WINDOW` allows: nobody is sure to
        // finish it in time, so nobody may be asked to.
        s.fuel = MAX_FUEL;
        s.commit_window = MAX_WINDOW;
        assert_eq!(Jobs::min_commit_window(&s), None);
        refuse(s.clone(), Error::<Test>::BudgetTooLarge);
        s.fuel = 0;
        s.workgroups = [MAX_WORKGROUPS; 3];
        refuse(s, Error::<Test>::BudgetTooLarge);
    });
}

#[test]
fn refuses_invalid_replicas_and_quorums() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3, P4, P5]);
        for (replicas, quorum, error) in [
            (0, 0, Error::<Test>::InvalidReplicas),
            (MAX_REPLICAS as u8 + 1, 4, Error::<Test>::InvalidReplicas),
            (255, 200, Error::<Test>::InvalidReplicas),
            (1, 0, Error::<Test>::InvalidQuorum),
            (3, 1, Error::<Test>::InvalidQuorum),
            (4, 2, Error::<Test>::InvalidQuorum),
            (3, 4, Error::<Test>::InvalidQuorum),
        ] {
            let mut s = spec(kernel);
            s.replicas = replicas;
            s.quorum = quorum;
            refuse(s, error);
        }
    });
}

#[test]
fn refuses_windows_out_of_bounds() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3]);
        for (commit, reveal, queue) in [
            (MIN_WINDOW - 1, 5, 10),
            (MAX_WINDOW + 1, 5, 10),
            (5, MIN_WINDOW - 1, 10),
            (5, MAX_WINDOW + 1, 10),
            (5, 5, 0),
            (5, 5, MAX_QUEUE_WINDOW + 1),
        ] {
            let mut s = spec(kernel);
            s.commit_window = commit;
            s.reveal_window = reveal;
            s.queue_window = queue;
            refuse(s, Error::<Test>::WindowOutOfBounds);
        }
    });
}

#[test]
fn refuses_a_reward_below_the_minimum() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3]);
        let mut s = spec(kernel);
        s.reward_per_replica = MIN_REWARD - 1;
        refuse(s, Error::<Test>::RewardTooLow);
    });
}

#[test]
fn refuses_an_escrow_that_overflows() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3]);
        let mut s = spec(kernel);
        s.reward_per_replica = u128::MAX / 2;
        refuse(s.clone(), Error::<Test>::Overflow);
        assert_eq!(Jobs::escrow_for(&s), None);
        s.replicas = 1;
        s.quorum = 1;
        s.reward_per_replica = u128::MAX - FEE + 1;
        refuse(s.clone(), Error::<Test>::Overflow);
        assert_eq!(Jobs::escrow_for(&s), None);
        let deposit = deposit_of(&spec(kernel));
        assert_eq!(Jobs::escrow_for(&spec(kernel)), Some(ESCROW + FEE + deposit));
    });
}

#[test]
fn refuses_what_the_requester_cannot_hold() {
    // The kernel's id does not change the spec's length.
    let total = ESCROW + FEE + deposit_of(&spec(KernelId([0; 32])));
    ExtBuilder::default().balance(ALICE, total).build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3]);
        refuse(spec(kernel), Error::<Test>::InsufficientBalance);
        // Queued or assigned alike.
        set_active(P1, false);
        refuse(spec(kernel), Error::<Test>::InsufficientBalance);
    });
    ExtBuilder::default().balance(ALICE, total + ED).build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3]);
        submit(ALICE, spec(kernel));
        assert_eq!(free(ALICE), ED);
    });
}

#[test]
fn refuses_a_job_when_the_queue_is_full() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        for _ in 0..MAX_QUEUED {
            submit(ALICE, spec(kernel));
        }
        assert_eq!(Queue::<Test>::get().len() as u32, MAX_QUEUED);
        // Every job waits a block for its assignment and may need the queue after it: a full queue
        // refuses submissions at once, with nothing held.
        providers(&[P1, P2, P3]);
        refuse(spec(kernel), Error::<Test>::QueueFull);
    });
}

fn one_replica(kernel: KernelId) -> JobSpecOf<Test> {
    let mut s = spec(kernel);
    s.replicas = 1;
    s.quorum = 1;
    s
}

/// Any number of jobs may share a deadline block: nothing is refused for lack of room.
#[test]
fn many_jobs_may_share_a_deadline_block() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        register_provider(P1, MockProvider { capacity: 100, ..provider(STAKE) });
        let jobs: Vec<u64> =
            (0..MAX_DEADLINES * 4).map(|_| submit_only(ALICE, one_replica(kernel))).collect();
        for job_id in &jobs {
            assert_eq!(job(*job_id).deadline, 2);
        }
        assert_eq!(bucket(2), jobs);
    });
}

#[test]
fn refuses_unsigned_origins() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        assert_noop!(
            Jobs::submit_job(RuntimeOrigin::none(), Box::new(spec(kernel))),
            sp_runtime::DispatchError::BadOrigin
        );
    });
}

/// Finding 5 of the sound-economics review: the assignment used randomness known before the submission
/// was included, so a requester could submit only when its own providers would be drawn. Now nobody is
/// drawn at submission; the next block draws with its own randomness.
#[test]
fn the_assignment_waits_for_the_next_blocks_randomness() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3, P4, P5]);
        let job_id = submit_only(ALICE, spec(kernel));
        assert!(job(job_id).replicas.is_empty());
        assert_eq!(Assignments::<Test>::iter().count(), 0);
        run_to_block(2);
        // What the sampler gives for the seed of block 2, the block after the submission.
        let expected = <MockProviders as compute_primitives::ComputeProviders<AccountId>>::sample(
            &Jobs::assignment_seed(job_id, 2),
            3,
            &spec(kernel).requirements(Jobs::min_stake_for(REWARD)),
        )
        .unwrap();
        assert_eq!(assigned(job_id), expected);
        assert_eq!(job(job_id).deadline, 2 + 5);
    });
}

/// Finding 15 (open jobs held no deposit): the deposit is paid per byte of the stored spec, held while
/// the job is open and returned when it ends, whatever the ending.
#[test]
fn the_deposit_grows_with_the_stored_spec_and_comes_back() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1, P2, P3]);
        let small = spec(kernel);
        let mut big = spec(kernel);
        big.inputs[0] = JobInput::Inline(bounded(&[9; MAX_INLINE as usize]));
        assert_eq!(
            deposit_of(&big) - deposit_of(&small),
            // 60 more bytes, and a second byte of the length's compact prefix.
            Balance::from(MAX_INLINE - 4 + 1) * JOB_DEPOSIT_PER_BYTE
        );
        let kept = submit(ALICE, big.clone());
        let cancelled = submit(ALICE, small.clone());
        assert_eq!(job_deposit_hold(ALICE), deposit_of(&big) + deposit_of(&small));
        assert_ok!(Jobs::cancel_job(signed(ALICE), cancelled));
        assert_eq!(job_deposit_hold(ALICE), deposit_of(&big));
        let providers = assigned(kept);
        for p in &providers {
            commit(kept, *p, root(1));
        }
        for p in &providers {
            reveal(kept, *p, root(1));
        }
        run_to_block(System::block_number() + 1);
        assert!(Results::<Test>::contains_key(kept));
        assert_eq!(job_deposit_hold(ALICE), 0, "every deposit came back");
    });
}

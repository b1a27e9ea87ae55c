//! Periodic tasks across processes: each runs in one process per interval, whichever.

use std::time::Duration;

use super::Cluster;

/// Runs of `task` summed over every process's `/metrics`.
async fn runs(cluster: &Cluster, task: &str) -> u64 {
    let label = format!("task=\"{task}\"");
    let mut total = 0;
    for i in 0..cluster.servers.len() {
        let text = reqwest::get(format!("{}/metrics", cluster.address(i)))
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        total += text
            .lines()
            .filter(|l| l.starts_with("timekeeping_periodic_runs_total") && l.contains(&label))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum::<u64>();
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_periodic_task_runs_in_one_process_per_interval() {
    // The automatic sync ticks every 500 ms with a 2 s delay.
    let env = [("TIMEKEEPING_AUTO_SYNC_DELAY_SECS", "2")];
    let Some(cluster) = Cluster::start(3, &env).await else {
        return;
    };
    // Three processes started together: the tasks that run at start ran once, not three times.
    for task in ["days", "export_sweep", "photo_retention"] {
        assert_eq!(runs(&cluster, task).await, 1, "{task} at start");
    }
    let before = runs(&cluster, "auto_sync").await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let ticks = runs(&cluster, "auto_sync").await - before;
    // One process per 500 ms tick runs it about 10 times in 5 s; three processes each
    // running it would be about 30.
    assert!(
        (5..=14).contains(&ticks),
        "{ticks} automatic-sync rounds in 5 s"
    );
}

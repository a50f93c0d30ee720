use clap::Subcommand;
#[derive(Subcommand)]
pub enum BenchCommand {
    Push,
}
pub fn run(_: BenchCommand) -> anyhow::Result<()> {
    Ok(())
}

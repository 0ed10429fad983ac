"""What every end-to-end script does the same way: run named checks, report each on a line
and go on after a failure, sum them up; and end the processes a script started."""
import subprocess


class Checks:
    """Named checks of one suite: `run` each, then `summary` for the exit code."""

    def __init__(self, suite: str, expected: int):
        self.suite, self.expected, self.results = suite, expected, []

    def run(self, name: str, body, on_failure=None) -> None:
        """Runs `body`; a failure is reported and counted (then `on_failure`), not raised:
        the next check says more."""
        try:
            body()
            self.results.append((name, None))
            print(f"ok   {name}", flush=True)
        except Exception as err:  # noqa: BLE001 - every failure is reported and counted
            self.failed(name, err)
            if on_failure:
                try:
                    on_failure(len(self.results))
                except Exception:  # noqa: BLE001 - the failure is already reported
                    pass

    def failed(self, name: str, err: Exception) -> None:
        """Counts `err` as the failure of the check `name`."""
        self.results.append((name, err))
        # The error's own lines, indented: a failed command's output stays readable.
        said = "".join(f"\n     {line}" for line in str(err).splitlines())
        print(f"FAIL {name}: {type(err).__name__}{said}", flush=True)

    def summary(self) -> int:
        """Prints "suite: N passed, N failed"; 1 unless all passed and none was skipped."""
        failed = sum(1 for _, err in self.results if err)
        print(f"{self.suite}: {len(self.results) - failed} passed, {failed} failed")
        return 1 if failed or len(self.results) < self.expected else 0


def end(processes: list) -> None:
    """Ends `processes`, the last started first; killed when one will not stop."""
    for process in reversed(processes):
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()

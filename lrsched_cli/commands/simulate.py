"""``lrsched simulate`` and ``lrsched find-lr``: their Typer wiring (what they run is in
:mod:`lrsched_cli.commands.nqm_runs`, imported when a command runs)."""

from __future__ import annotations

from typing import Any

import typer

from ..errors import UsageError
from .options import HEIGHT, ROWS, Number, quiet_broken_pipe


def _model_options() -> dict[str, Any]:
    panel = "Model (noisy quadratic model)"
    return dict(
        momentum=typer.Option(0.0, "--momentum", metavar="FLOAT", rich_help_panel=panel,
                              click_type=Number("float", 0, 1, hi_open=True),
                              help="Heavy-ball momentum β (PyTorch SGD's form)"),
        batch_size=typer.Option(16.0, "--batch-size", metavar="FLOAT", rich_help_panel=panel,
                                click_type=Number("float", 0, 1e12, lo_open=True),
                                help="Batch size B: gradient noise variance c_i / B"),
        dim=typer.Option(10_000, "--dim", metavar="INT", rich_help_panel=panel,
                         click_type=Number("int", 1, 1_000_000), help="Dimensions d"),
        curvature_power=typer.Option(1.0, "--curvature-power", metavar="FLOAT",
                                     click_type=Number("float", 0, 10),
                                     rich_help_panel=panel, help="Curvatures h_i = i^-p"),
        # beyond 1e6 the expected loss overflows float64 within a few steps of any schedule
        noise=typer.Option(1.0, "--noise", metavar="FLOAT", rich_help_panel=panel,
                           click_type=Number("float", 0, 1e6),
                           help="Noise scale: c_i = noise * h_i"),
    )


_M = _model_options()




def register(app: typer.Typer) -> None:
    """Add ``lrsched simulate`` and ``lrsched find-lr`` to ``app``."""

    @app.command("simulate", epilog='Example: lrsched simulate "cosine --lr-max 1.9 --lr-min 0" '
                                       '"constant --initial-lr 1.2" --steps 1000')
    def simulate_cmd(
        specs: list[str] = typer.Argument(None, metavar="SPEC...", show_default=False,
                                          help="1 to 8 schedules, as for compare"),
        steps: str = typer.Option(None, "--steps", "--epochs", metavar="STEPS",
                                  help="Steps for every spec that does not set its own  "
                                       "\\[default: 1000]"),
        label: list[str] = typer.Option(None, "--label", metavar="NAME",
                                        help="Label of a spec, in order (repeat the option)"),
        momentum: float = _M["momentum"], batch_size: float = _M["batch_size"],
        dim: int = _M["dim"], curvature_power: float = _M["curvature_power"],
        noise: float = _M["noise"],
        samples: int = typer.Option(0, "--samples", metavar="K",
                                    click_type=Number("int", 0, 10_000),
                                    help="Also run K seeded Monte-Carlo SGD runs of each schedule"),
        seed: int = typer.Option(0, "--seed", metavar="INT", click_type=Number("int", 0, 2**63 - 1),
                                 help="Seed of the Monte-Carlo runs"),
        rows: int = typer.Option(11, "--rows", metavar="INT", hidden=True, click_type=ROWS),
        height: int = typer.Option(18, "--height", metavar="INT", help="Chart height in lines",
                                   click_type=HEIGHT),
        plot: str = typer.Option(None, "--plot", metavar="FILE",
                                 help="Also save a figure: rates above, expected loss below"),
        format: str = typer.Option(None, "--format", "-f", metavar="[csv|json|jsonl]",
                                   help="Write the losses instead of the chart"),
        output: str = typer.Option(None, "--output", "-o", metavar="FILE",
                                   help="File for --format (or its suffix)"),
    ) -> None:
        """Run schedules on a noisy quadratic model: expected loss, exactly, in seconds."""
        from .nqm_runs import model_from_options, run_simulate

        model = model_from_options(dim, curvature_power, noise, batch_size, momentum)
        texts = list(specs or [])
        if not texts:
            raise UsageError("simulate needs at least one schedule, e.g. lrsched simulate cosine")
        if steps is None:
            steps = "1000"
        try:
            run_simulate(texts, steps, label, model, samples, seed, rows, True, height, plot,
                         format, output)
        except BrokenPipeError:
            quiet_broken_pipe()


    @app.command("find-lr", epilog="Example: lrsched find-lr --momentum 0.9 --plot range.png")
    def find_lr_cmd(
        start: float = typer.Option(1e-7, "--start", metavar="FLOAT", help="First rate",
                                    click_type=Number("float", 0, lo_open=True)),
        end: float = typer.Option(10.0, "--end", metavar="FLOAT", help="Last rate",
                                  click_type=Number("float", 0, lo_open=True)),
        steps: int = typer.Option(100, "--steps", metavar="INT", help="Steps of the sweep",
                                  click_type=Number("int", 10, 100_000)),
        rule: str = typer.Option("minimum/10", "--rule", metavar="[minimum/10|steepest]",
                                 help="How to pick the suggested rate"),
        momentum: float = _M["momentum"], batch_size: float = _M["batch_size"],
        dim: int = _M["dim"], curvature_power: float = _M["curvature_power"],
        noise: float = _M["noise"],
        height: int = typer.Option(16, "--height", metavar="INT", help="Chart height in lines",
                                   click_type=HEIGHT),
        plot: str = typer.Option(None, "--plot", metavar="FILE", help="Also save a figure"),
    ) -> None:
        """The learning-rate range test (Smith 2017, fastai's lr_find) on the noisy quadratic
        model: an exponential sweep, the smoothed loss, and a suggested rate."""
        from .nqm_runs import model_from_options, run_find_lr

        run_find_lr(model_from_options(dim, curvature_power, noise, batch_size, momentum), start,
                    end, steps, rule, height, plot)

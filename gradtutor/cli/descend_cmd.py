"""`gradtutor descend`: gradient descent on a program, with a live loss chart."""

from __future__ import annotations

import json

import click

from .common import gather_values, json_option, read_program, value_options


@click.command("descend")
@click.argument("program")
@value_options
@click.option("--wrt", multiple=True, required=True, metavar="NAME", help="An input to optimise (repeatable).")
@click.option("--lr", "lr_text", default="0.1", show_default=True, metavar="RATE[,RATE...]", help="Learning rate(s).")
@click.option("--steps", type=click.IntRange(1, 1_000_000), default=50, show_default=True, help="Updates to make.")
@click.option("--optimizer", type=click.Choice(["sgd", "momentum"]), default="sgd", show_default=True)
@click.option("--momentum", type=click.FloatRange(0, 1, max_open=True), default=0.9, show_default=True)
@click.option("-o", "--output", default=None, metavar="FILE", help="Also write the loss plot as .png or .svg.")
@json_option
def command(program, at, random_, seed, wrt, lr_text, steps, optimizer, momentum, output, as_json) -> None:
    """Run gradient descent on the scalar PROGRAM: w := w - lr * dJ/dw for each --wrt input.

    The loss is charted live with the step and the gradient norm. Several rates
    (--lr 0.01,0.1,1) are run one after the other and compared. A run that
    diverges stops and says why, with the largest stable rate where the
    Hessian is small enough to compute. --wrt may name data as well as weights:
    optimising the input is backprop to the data.

    \b
    Examples:
      gradtutor descend "(w - 3)^2" --at w=0 --wrt w --lr 0.1,0.9,1.1 --steps 30
      gradtutor descend "L = sigmoid(w0*x0 + w1*x1 + w2); J = 0.5*(1 - L)^2" \\
          --at w0=2 --at x0=-1 --at w1=-3 --at x1=-2 --at w2=-3 --wrt w0 --wrt w1 --wrt w2
      gradtutor descend "-dot(w, x) + 0.1*sum(x^2)" --random w=5 --random x=5 --wrt x -o excite.png
    """
    from ..autodiff.descent import curvature, descend
    from ..autodiff.reverse import check_names, check_values
    from ..errors import GradtutorError, ValueInputError
    from ..graph import build
    from ..language.values import to_python, values_from_mapping

    rates = _rates(lr_text)
    graph = build(read_program(program))
    values, used_seed = gather_values(at, random_, seed)
    values = values_from_mapping(values)
    check_values(graph, values)
    check_names(graph, wrt, what="--wrt")
    if len(set(wrt)) != len(wrt):
        raise ValueInputError("an input is named twice with --wrt")

    runs = []
    if as_json:
        runs = [descend(graph, values, wrt, lr, steps, optimizer, momentum) for lr in rates]
    else:
        from ..render.console import stdout
        from ..render.descent_view import LiveDescent

        console = stdout()
        if used_seed is not None:
            console.print(f"random values drawn with --seed {used_seed}", style="muted")
        for lr in rates:
            with LiveDescent(console, steps) as live:
                runs.append(descend(graph, values, wrt, lr, steps, optimizer, momentum, on_step=live))
    try:
        lam = curvature(graph, values, wrt)
    except (GradtutorError, ValueError, ArithmeticError):  # no second derivative here: no bound to give
        lam = None
    for run in runs:
        run.curvature = lam
    if output:
        from ..render.loss_plot import save_plot

        save_plot(runs, output, graph.source.strip().replace("\n", "; "))
    if as_json:
        click.echo(json.dumps({"runs": [_as_data(run, to_python) for run in runs]}))
        return
    from ..render.descent_view import summary

    summary(console, runs)
    if output:
        console.print(f"wrote {output}", style="muted")


def _rates(text: str) -> list[float]:
    from ..errors import ValueInputError

    rates = []
    for part in text.split(","):
        try:
            rate = float(part)
        except ValueError:
            raise ValueInputError(f"--lr takes numbers separated by commas, got '{part.strip()}'") from None
        if not rate > 0 or rate == float("inf"):
            raise ValueInputError(f"a learning rate must be a positive number, got {part.strip()}")
        rates.append(rate)
    return rates


def _as_data(run, to_python) -> dict:
    data = {
        "lr": run.lr,
        "optimizer": run.optimizer,
        "losses": [s.loss for s in run.steps],
        "grad_norms": [s.grad_norm for s in run.steps],
        "diverged": run.diverged is not None,
        "reason": run.diverged,
        "largest_stable_lr": run.stable_lr,
        "final": {n: to_python(v) for n, v in run.final.items()},
    }
    if run.steps and run.steps[0].params is not None:
        data["params"] = [{n: to_python(v) for n, v in s.params.items()} for s in run.steps]
    if run.optimizer == "momentum":
        data["momentum"] = run.momentum
    return data

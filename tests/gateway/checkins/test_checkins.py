"""Check-ins: offered after a deadline answer, scheduled in the database, three questions, the
recomputed dates and what changed, the regievoerder's consent, stop, erase, restarts."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from gateway.checkins.models import Checkin, CheckinPlan
from gateway.core.models import Message
from gateway.privacy.retention import run_retention
from knowledge.deadlines import compute
from tests.gateway.checkins.support import (
    INPUT,
    answer_all,
    bot_sends_deadlines,
    button,
    checkin_buttons,
    checkins,
    due,
    history,
    latest_question,
    offer,
    opt_in,
    payload,
    plans,
    say,
    set_clock,
)
from tests.support.fake_rasa import FakeRasa
from tests.support.gateway import make_settings, running

pytestmark = pytest.mark.asyncio
AMS = ZoneInfo("Europe/Amsterdam")
NEXT = datetime.combine(date(2026, 12, 1) + timedelta(weeks=12), time(9), AMS).astimezone(timezone.utc)


class RecordingSender:
    def __init__(self, fail: int = 0) -> None:
        self.sent: list[str] = []
        self.fail = fail

    async def send(self, conversation, messages) -> None:  # noqa: ANN001
        if self.fail:
            self.fail -= 1
            raise RuntimeError("channel down")
        self.sent.extend(m.text for m in messages)


async def test_the_deadline_answer_offers_check_ins_on_its_own_message(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    set_clock(app)
    bot_sends_deadlines(fake_rasa)
    message = await offer(client)
    assert message["text"].startswith("Zal ik u elke 12 weken vragen hoe het leren gaat?")
    yes, no = message["buttons"]
    assert (yes["title"], no["title"]) == ("Ja, vraag me elke 12 weken hoe het gaat", "Nee")
    image_id = next(m["id"] for m in await history(client) if m.get("image_url"))
    assert payload(yes) == {"on": True, "m": image_id}
    assert not message.get("image_url") and not message.get("document_url")  # the photo and file stay as they were


async def test_opting_in_stores_the_plan_with_the_deadline_input_and_the_first_check_in_in_12_weeks(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    set_clock(app)
    bot_sends_deadlines(fake_rasa)
    (confirmation,) = await opt_in(client)
    assert confirmation["text"] == "Goed. Op 23 februari 2027 stel ik u de eerste vragen. Stoppen? Stuur 'stop check-ins'."
    (plan,) = plans(app)
    assert plan.status == "active" and plan.interval_weeks == 12 and plan.lang == "nl"
    assert plan.deadline_input == INPUT and plan.hours_total == 100 and plan.exams_total == 0
    assert plan.next_at == NEXT == plan.next_attempt_at
    assert plan.consent_at is None and checkins(app) == []
    assert len(fake_rasa.messages) == 1  # the engine never saw the check-in command
    # once running, a new deadline answer does not offer them again
    messages = await say(client, "/ask_deadlines")
    assert not any(checkin_buttons(m) for m in messages)


async def test_no_declines_and_stores_nothing(app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa) -> None:
    set_clock(app)
    bot_sends_deadlines(fake_rasa)
    message = await offer(client)
    (answer,) = await say(client, message["buttons"][1]["payload"])
    assert answer["text"] == "Goed, ik stel u geen vragen over het leren."
    assert plans(app) == []


async def test_no_offer_when_the_term_has_ended(app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa) -> None:
    set_clock(app)
    bot_sends_deadlines(fake_rasa, {"pip_date": "2021-06-01"})
    messages = await say(client, "/ask_deadlines")
    assert not any(checkin_buttons(m) for m in messages)


async def test_a_button_of_another_users_deadline_answer_is_refused(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    set_clock(app)
    bot_sends_deadlines(fake_rasa)
    message = await offer(client, "owner-user")
    (answer,) = await say(client, message["buttons"][0]["payload"], "other-user")
    assert not answer["text"].startswith("Goed. Op") and plans(app) == []


async def test_a_full_check_in_cycle_recomputes_the_dates_and_says_what_changed(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    clock = set_clock(app)
    bot_sends_deadlines(fake_rasa)
    await opt_in(client)
    sender = RecordingSender()
    app.state.conversations.register_sender("web", sender)

    clock.now = NEXT - timedelta(minutes=1)
    assert await app.state.checkins.send_due() == 0  # not yet
    assert await due(app, clock) == 1
    assert await app.state.checkins.send_due() == 0  # sent once
    (question_text,) = sender.sent
    assert question_text.startswith("Check-in van Wegwijs: hoe gaat het met leren?")
    assert "Vraag 1 van 3: hoeveel uur les heeft u gevolgd sinds 1 december 2026?" in question_text
    question = await latest_question(client)
    assert [b["title"] for b in question["buttons"]] == [
        "0 uur", "1 tot 25 uur", "26 tot 50 uur", "51 tot 100 uur", "101 tot 150 uur", "Meer dan 150 uur",
        "Stop de check-ins",
    ]

    # One question at a time: hours, exams, "is something making it hard?"
    (exams_question,) = await say(client, button(question, "26 tot 50 uur")["payload"])
    assert exams_question["text"] == "Vraag 2 van 3: hoeveel examens heeft u gehaald sinds 1 december 2026?"
    assert [b["title"] for b in exams_question["buttons"]] == ["0", "1", "2", "3 of meer"]
    (obstacle_question,) = await say(client, button(exams_question, "1")["payload"])
    assert obstacle_question["text"] == "Vraag 3 van 3: is er iets dat het leren moeilijk maakt?"
    assert [b["title"] for b in obstacle_question["buttons"]] == [
        "Geld", "Werk of kinderen", "Gezondheid", "De school", "Iets anders", "Nee, niets",
    ]
    summary, consent = await say(client, button(obstacle_question, "Geld")["payload"])

    # Recomputed: 100 + 38 hours, 1 exam, 38 hours in 12 weeks ≈ 3.2 hours a week.
    expected = compute({**INPUT, "hours_bow": 138, "exams_passed": 1, "hours_per_week": 3.2, "today": "2027-02-23"})
    reached = date.fromisoformat(expected["dates"]["hours_600_reached"])
    assert reached > date(2029, 3, 15)  # after the term's end: at risk
    text = summary["text"]
    assert "U heeft nu ongeveer 138 uur les gevolgd en 1 examen(s) gehaald." in text
    assert "Sinds de vorige keer is dat ongeveer 3,2 uur per week." in text
    assert "Met 3,2 uur per week heeft u 600 uur op" in text and "Praat nu met uw regievoerder over afschalen." in text
    assert "Let op: dat is nieuw." in text  # the baseline had no pace, so no risk: this risk is new
    assert "Uw inburgeringstermijn eindigt op 15 maart 2029. Dat is een datum uit de wet" in text
    assert "Stuur 'ik wil een mens'." in text  # an obstacle was reported
    assert "De volgende vragen krijgt u op 18 mei 2027." in text
    assert consent["text"].startswith("Mag de regievoerder van de gemeente uw antwoorden zien?")
    assert "U kunt dit altijd weer uitzetten." in consent["text"]

    (checkin,) = checkins(app)
    assert (checkin.status, checkin.hours, checkin.hours_choice, checkin.exams, checkin.obstacle) == (
        "done", 38.0, "26-50", 1, "money")
    assert checkin.result["hours_600_reached"] == reached.isoformat() and checkin.result["late"] is True
    assert checkin.result["termijn_end"] == "2029-03-15"  # the legal date did not move
    (plan,) = plans(app)
    assert (plan.hours_total, plan.exams_total) == (138, 1)

    # The second check-in: 120 hours typed, a faster pace; the 600-hours date moves earlier.
    assert await due(app, clock) == 1
    (exams_question,) = await say(client, "ongeveer 120 uur")
    assert exams_question["text"].startswith("Vraag 2 van 3")
    (obstacle_question,) = await say(client, "0")
    (summary,) = await say(client, button(obstacle_question, "Nee, niets")["payload"])  # consent asked once only
    assert "U heeft nu ongeveer 258 uur les gevolgd en 1 examen(s) gehaald." in summary["text"]
    assert "Goed nieuws: u heeft de 600 uur nu" in summary["text"] and "eerder dan wij de vorige keer dachten" in summary["text"]
    assert "Goed nieuws: die datum ligt nu weer voor het einde van uw termijn." in summary["text"]
    second = checkins(app)[1]
    assert second.hours_choice == "typed" and second.result["late"] is False
    assert [c["code"] for c in second.result["changes"]] == ["600_earlier", "now_on_time"]
    assert len(fake_rasa.messages) == 1  # the engine saw only the deadline question


async def test_a_typed_number_that_is_not_an_answer_goes_to_the_engine(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    clock = set_clock(app)
    bot_sends_deadlines(fake_rasa)
    await opt_in(client)
    # no check-in open: "30" is a message for the assistant
    assert (await say(client, "30"))[0]["text"] == "Antwoord op: 30"
    await due(app, clock)
    (again,) = await say(client, "heel veel")  # not a number: the engine answers
    assert again["text"] == "Antwoord op: heel veel"
    # the question is no longer the last message: a number now is not taken as the answer
    assert (await say(client, "30"))[0]["text"] == "Antwoord op: 30"
    assert checkins(app)[0].hours is None
    (too_many,) = await say(client, button(await latest_question(client), "0 uur")["payload"].replace('"0"', '"x"'))
    assert checkins(app)[0].hours is None and too_many["text"]  # an unknown value is not stored


async def test_consent_given_then_revoked_with_a_word(app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa) -> None:
    clock = set_clock(app)
    bot_sends_deadlines(fake_rasa)
    await opt_in(client)
    await due(app, clock)
    _, consent = await answer_all(client, "51 tot 100 uur", "0", "Werk of kinderen")
    (given,) = await say(client, button(consent, "Ja, dat mag")["payload"])
    assert given["text"] == "Goed. De regievoerder ziet nu uw antwoorden. Uitzetten? Stuur 'regievoerder uit'."
    (plan,) = plans(app)
    assert plan.consent_at == clock.now and plan.consent_asked_at is not None

    (revoked,) = await say(client, "Regievoerder uit!")
    assert revoked["text"] == "Goed. De regievoerder ziet uw antwoorden niet meer."
    (plan,) = plans(app)
    assert plan.consent_at is None and plan.consent_revoked_at == clock.now
    (again,) = await say(client, "regievoerder uit")
    assert again["text"].startswith("U deelt uw antwoorden niet met de regievoerder.")
    assert len(fake_rasa.messages) == 1


async def test_consent_declined_stores_no_consent(app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa) -> None:
    clock = set_clock(app)
    bot_sends_deadlines(fake_rasa)
    await opt_in(client)
    await due(app, clock)
    _, consent = await answer_all(client, "0 uur", "0", "Nee, niets")
    (declined,) = await say(client, button(consent, "Nee")["payload"])
    assert declined["text"] == "Goed. Uw antwoorden blijven bij Wegwijs. De gemeente ziet ze niet."
    (plan,) = plans(app)
    assert plan.consent_at is None and plan.consent_asked_at is not None
    assert checkins(app)[0].result["late"] is True  # no lessons at all: at risk


@pytest.mark.parametrize("stop", ["stop check-ins", "Stop checkins!", "parar check-ins", "button"])
async def test_stop_ends_the_check_ins_with_one_word_or_button(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa, stop: str
) -> None:
    clock = set_clock(app)
    bot_sends_deadlines(fake_rasa)
    await opt_in(client)
    await due(app, clock)
    text = button(await latest_question(client), "Stop de check-ins")["payload"] if stop == "button" else stop
    (answer,) = await say(client, text)
    assert answer["text"] == "U krijgt geen check-ins meer van Wegwijs. U kunt mij nog steeds vragen stellen."
    (plan,) = plans(app)
    assert plan.status == "stopped" and [c.status for c in checkins(app)] == ["cancelled"]
    clock.now += timedelta(weeks=30)
    assert await app.state.checkins.send_due() == 0  # nothing goes out any more
    assert len(fake_rasa.messages) == 1


async def test_a_failed_delivery_is_retried_with_the_same_question_and_sent_once(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    clock = set_clock(app)
    bot_sends_deadlines(fake_rasa)
    await opt_in(client)
    sender = RecordingSender(fail=1)
    app.state.conversations.register_sender("web", sender)
    assert await due(app, clock) == 0
    assert checkins(app)[0].status == "sending"
    clock.now += timedelta(minutes=6)  # after the back-off
    assert await app.state.checkins.send_due() == 1
    assert len(sender.sent) == 1 and [c.status for c in checkins(app)] == ["open"]
    with app.state.session_factory() as session:
        questions = [m for m in session.scalars(select(Message)) if (m.text or "").startswith("Check-in van Wegwijs")]
    assert len(questions) == 1  # stored once, pushed again


async def test_after_a_restart_a_check_in_that_fell_due_is_sent_once_and_can_be_answered(tmp_path) -> None:  # noqa: ANN001
    fake = FakeRasa()
    bot_sends_deadlines(fake)
    settings = make_settings(tmp_path, scheduler_enabled=False)
    async with running(settings, fake) as (app, client):
        set_clock(app)
        await opt_in(client)
        (plan,) = plans(app)

    # The gateway was down when the check-in fell due; it starts again with the scheduler on.
    restarted = make_settings(tmp_path, scheduler_enabled=True, reminder_interval_s=1)
    sender = RecordingSender()
    async with running(restarted, fake) as (app, client):
        app.state.conversations.register_sender("web", sender)
        set_clock(app, plan.next_at + timedelta(hours=3))
        for _ in range(100):
            if sender.sent:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.5)  # the interval job runs again: nothing is sent twice
        assert len(sender.sent) == 1 and sender.sent[0].startswith("Check-in van Wegwijs")
        summary, _ = await answer_all(client, "101 tot 150 uur", "2", "De school")
        assert "U heeft nu ongeveer 225 uur les gevolgd en 2 examen(s) gehaald." in summary["text"]
        assert [c.status for c in checkins(app)] == ["done"]


async def test_deleting_the_persons_data_removes_the_check_ins(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    clock = set_clock(app)
    bot_sends_deadlines(fake_rasa)
    await opt_in(client)
    await opt_in(client, "someone-else")
    clock.now = plans(app)[0].next_at + timedelta(minutes=1)
    assert await app.state.checkins.send_due() == 2
    _, consent = await answer_all(client, "0 uur", "0", "Geld")
    await say(client, button(consent, "Ja, dat mag")["payload"])
    conversation_id = plans(app)[0].conversation_id

    deadlines = fake_rasa.reply
    fake_rasa.reply = lambda body: (
        [{"recipient_id": body["sender"], "custom": {"wegwijs": {"type": "delete_my_data", "lang": "nl"}}}]
        if body["message"] == "verwijder mijn gegevens" else deadlines(body)
    )
    await say(client, "verwijder mijn gegevens")
    with app.state.session_factory() as session:
        assert list(session.scalars(select(CheckinPlan).where(CheckinPlan.conversation_id == conversation_id))) == []
        assert list(session.scalars(select(Checkin).where(Checkin.conversation_id == conversation_id))) == []
    assert [p.conversation_id for p in plans(app)] != [conversation_id] and len(plans(app)) == 1  # the other's stay
    assert len(checkins(app)) == 1
    clock.now += timedelta(weeks=13)
    assert await app.state.checkins.send_due() == 1  # only the other person gets the next one


async def test_retention_keeps_running_check_ins_and_removes_old_answers_of_stopped_ones(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    clock = set_clock(app)
    bot_sends_deadlines(fake_rasa)
    await opt_in(client)
    await due(app, clock)
    await answer_all(client, "0 uur", "0", "Nee, niets")
    settings = app.state.settings
    # 80 days later: the next check-in is still planned, so the person's data stays
    report = run_retention(app.state.session_factory, settings, now=clock.now + timedelta(days=80), tracker_url=None)
    assert report.conversations == 0 and len(checkins(app)) == 1
    # stopped: the answers are removed once older than the retention period
    await say(client, "stop check-ins")
    run_retention(app.state.session_factory, settings, now=clock.now + timedelta(days=settings.retention_days + 1),
                  tracker_url=None)
    assert checkins(app) == []

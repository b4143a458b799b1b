"""Customer messages by ticket category and language, as support teams in the region get them.

Placeholders: `{amount}` (amount with currency), `{asset}`.
"""

from __future__ import annotations

TICKET_CATEGORIES: tuple[str, ...] = (
    "deposit_not_credited",
    "withdrawal_pending",
    "kyc",
    "account_locked_2fa",
    "p2p_dispute",
    "scam_report",
    "fees",
    "other",
)

# Language each country's customers write in besides English, and the share of tickets
# written in it (illustrative).
COUNTRY_LANGUAGE: dict[str, tuple[str, float]] = {
    "SG": ("en", 1.0),
    "MY": ("ms", 0.55),
    "TH": ("th", 0.85),
    "VN": ("vi", 0.85),
    "ID": ("id", 0.85),
    "PH": ("fil", 0.6),
}

MESSAGES: dict[str, dict[str, tuple[str, ...]]] = {
    "deposit_not_credited": {
        "en": (
            "I transferred {amount} an hour ago but my balance is still zero.",
            "Deposit not credited yet, already sent {amount}. Please check.",
        ),
        "th": ("โอนเงิน {amount} ไปแล้วแต่ยอดยังไม่เข้าค่ะ", "เติมเงินแล้วยังไม่เข้าบัญชีครับ ช่วยตรวจสอบด้วย"),
        "vi": (
            "Em đã chuyển {amount} mà chưa thấy tiền vào tài khoản.",
            "Nạp tiền rồi nhưng chưa nhận được ạ.",
        ),
        "id": (
            "Saya sudah transfer {amount} tapi saldo belum masuk.",
            "Deposit belum masuk kak, tolong dicek.",
        ),
        "ms": (
            "Saya dah transfer {amount} tapi baki belum masuk.",
            "Deposit tak masuk lagi, tolong semak.",
        ),
        "fil": (
            "Nag-transfer na ako ng {amount} pero wala pa sa balance ko.",
            "Hindi pa pumapasok yung deposit ko po.",
        ),
    },
    "withdrawal_pending": {
        "en": (
            "My {asset} withdrawal has been pending for hours.",
            "Why is my withdrawal still processing?",
        ),
        "th": ("ถอน {asset} ค้างมาหลายชั่วโมงแล้วครับ", "ทำไมการถอนยังไม่สำเร็จคะ"),
        "vi": (
            "Lệnh rút {asset} của em bị treo mấy tiếng rồi.",
            "Sao rút tiền mãi chưa xong vậy ạ?",
        ),
        "id": ("Penarikan {asset} saya pending dari tadi.", "Kenapa withdraw saya masih diproses?"),
        "ms": ("Pengeluaran {asset} saya masih pending.", "Kenapa withdrawal saya lambat sangat?"),
        "fil": (
            "Pending pa rin yung withdrawal ko ng {asset}.",
            "Bakit ang tagal ng withdrawal ko?",
        ),
    },
    "kyc": {
        "en": (
            "My verification was rejected, what documents do you need?",
            "How long does KYC take?",
        ),
        "th": ("ยืนยันตัวตนไม่ผ่าน ต้องใช้เอกสารอะไรบ้างคะ", "KYC ใช้เวลากี่วันครับ"),
        "vi": ("Xác minh danh tính bị từ chối, cần giấy tờ gì ạ?", "KYC mất bao lâu vậy ạ?"),
        "id": ("Verifikasi KTP saya ditolak, harus bagaimana?", "Berapa lama proses KYC?"),
        "ms": ("Pengesahan IC saya ditolak, perlu dokumen apa?", "Berapa lama proses KYC?"),
        "fil": (
            "Na-reject yung verification ko, anong ID ang kailangan?",
            "Gaano katagal ang KYC?",
        ),
    },
    "account_locked_2fa": {
        "en": ("I can't log in, my account is locked.", "I changed phone and lost my 2FA codes."),
        "th": ("เข้าสู่ระบบไม่ได้ บัญชีถูกล็อกค่ะ", "เปลี่ยนมือถือแล้ว OTP ไม่เข้าครับ"),
        "vi": ("Em không đăng nhập được, tài khoản bị khóa.", "Em đổi điện thoại nên mất mã 2FA."),
        "id": ("Akun saya terkunci, tidak bisa login.", "Ganti HP, kode 2FA hilang."),
        "ms": ("Akaun saya dikunci, tak boleh log masuk.", "Tukar telefon, kod 2FA hilang."),
        "fil": (
            "Na-lock yung account ko, hindi ako maka-login.",
            "Nagpalit ako ng phone, wala na yung 2FA ko.",
        ),
    },
    "p2p_dispute": {
        "en": (
            "The buyer marked the order paid but I received nothing.",
            "Seller did not release after I paid.",
        ),
        "th": ("ผู้ซื้อกดว่าจ่ายแล้วแต่เงินไม่เข้า", "จ่ายเงินแล้วแต่ผู้ขายไม่ปล่อยเหรียญ"),
        "vi": (
            "Người mua bấm đã thanh toán nhưng em chưa nhận tiền.",
            "Em chuyển tiền rồi mà người bán không nhả coin.",
        ),
        "id": (
            "Pembeli bilang sudah bayar tapi dana belum masuk.",
            "Sudah bayar tapi seller tidak release.",
        ),
        "ms": (
            "Pembeli kata dah bayar tapi duit tak masuk.",
            "Dah bayar tapi penjual tak lepaskan coin.",
        ),
        "fil": (
            "Sabi ng buyer bayad na pero wala akong natanggap.",
            "Nagbayad na ako pero hindi nire-release ng seller.",
        ),
    },
    "scam_report": {
        "en": (
            "Someone from your 'support' asked for my OTP, is this a scam?",
            "I think I was scammed.",
        ),
        "th": ("มีคนอ้างเป็นเจ้าหน้าที่ขอ OTP ค่ะ", "คิดว่าโดนหลอกครับ"),
        "vi": ("Có người tự xưng nhân viên hỗ trợ xin mã OTP.", "Em nghĩ mình bị lừa rồi."),
        "id": ("Ada yang ngaku CS minta kode OTP saya.", "Sepertinya saya kena tipu."),
        "ms": ("Ada orang mengaku staf minta OTP saya.", "Rasanya saya kena scam."),
        "fil": ("May nagpanggap na support at humingi ng OTP ko.", "Parang na-scam ako."),
    },
    "fees": {
        "en": ("Why was the withdrawal fee so high?", "What is the trading fee for USDT?"),
        "th": ("ค่าธรรมเนียมถอนแพงจังครับ", "ค่าธรรมเนียมเทรดเท่าไหร่คะ"),
        "vi": ("Sao phí rút cao vậy ạ?", "Phí giao dịch USDT là bao nhiêu?"),
        "id": ("Kenapa biaya penarikan mahal?", "Berapa fee trading USDT?"),
        "ms": ("Kenapa caj pengeluaran mahal?", "Berapa fi dagangan USDT?"),
        "fil": ("Bakit ang mahal ng withdrawal fee?", "Magkano ang trading fee sa USDT?"),
    },
    "other": {
        "en": ("How do I change my registered e-mail?", "Can I get a statement for my tax filing?"),
        "th": ("เปลี่ยนอีเมลได้อย่างไรคะ", "ขอรายการเดินบัญชีได้ไหมครับ"),
        "vi": ("Làm sao đổi email đăng ký ạ?", "Cho em xin sao kê giao dịch."),
        "id": ("Bagaimana cara ganti email?", "Bisa minta laporan transaksi?"),
        "ms": ("Macam mana nak tukar e-mel?", "Boleh dapat penyata transaksi?"),
        "fil": ("Paano magpalit ng email?", "Pwede bang makahingi ng statement?"),
    },
}

# Messages of scam victims who are being coached, in the categories they file them under.
SCAM_COACHED: dict[str, tuple[str, ...]] = {
    "en": (
        "My mentor says I must pay a 15% tax before the platform releases my profit. "
        "Please send faster.",
        "The investment group told me to move my USDT to their wallet for guaranteed returns, "
        "why is it blocked?",
    ),
    "th": ("อาจารย์ในกลุ่มลงทุนบอกให้จ่ายภาษีก่อนถอนกำไร ช่วยโอนเร็วๆ ค่ะ",),
    "vi": (
        "Thầy hướng dẫn bảo em phải nộp thuế 15% mới rút được lợi nhuận, chuyển nhanh giúp em.",
    ),
    "id": ("Mentor saya bilang harus bayar pajak dulu sebelum profit bisa ditarik, tolong cepat.",),
    "ms": ("Mentor saya kata kena bayar cukai dulu sebelum untung boleh dikeluarkan.",),
    "fil": ("Sabi ng mentor ko kailangan ko munang magbayad ng tax bago ma-withdraw ang profit.",),
}

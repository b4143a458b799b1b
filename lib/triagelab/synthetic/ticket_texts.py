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
            "I deposited but nothing shows in my wallet.",
            "Bank says the transfer went through, why is my balance not updated?",
            "Sent {asset} from another wallet, 2 hours already, still not in.",
            "hi, my deposit is missing, I attached the bank slip",
            "Deposited using the wrong network I think, can you recover it?",
        ),
        "th": (
            "โอนเงิน {amount} ไปแล้วแต่ยอดยังไม่เข้าค่ะ",
            "เติมเงินแล้วยังไม่เข้าบัญชีครับ ช่วยตรวจสอบด้วย",
            "ฝากเงินไปตั้งแต่เช้า ยังไม่เข้าเลยค่ะ แนบสลิปให้แล้ว",
            "ส่ง {asset} มาจาก wallet อื่น ยังไม่เข้าครับ",
            "deposit ไม่เข้า ทำยังไงดีคะ",
            "โอนผิด network ครับ กู้คืนได้ไหม",
        ),
        "vi": (
            "Em đã chuyển {amount} mà chưa thấy tiền vào tài khoản.",
            "Nạp tiền rồi nhưng chưa nhận được ạ.",
            "Ngân hàng báo thành công rồi mà số dư vẫn chưa cộng ạ.",
            "Em nạp {asset} từ ví khác 2 tiếng rồi chưa thấy về.",
            "deposit chưa vào, em gửi kèm bill chuyển khoản ạ",
            "Em chọn nhầm mạng khi nạp, lấy lại được không ạ?",
        ),
        "id": (
            "Saya sudah transfer {amount} tapi saldo belum masuk.",
            "Deposit belum masuk kak, tolong dicek.",
            "Udah transfer dari bank, statusnya berhasil, tapi saldo masih 0.",
            "Kirim {asset} dari wallet lain kok belum masuk ya?",
            "kak deposit saya nyangkut, bukti transfer sudah saya lampirkan",
            "Saya salah pilih network waktu deposit, bisa dikembalikan?",
        ),
        "ms": (
            "Saya dah transfer {amount} tapi baki belum masuk.",
            "Deposit tak masuk lagi, tolong semak.",
            "Bank kata transfer berjaya tapi baki saya masih kosong.",
            "Hantar {asset} dari wallet lain, dah 2 jam tak masuk.",
            "deposit saya hilang, saya dah attach resit bank",
            "Tersalah pilih network masa deposit, boleh recover tak?",
        ),
        "fil": (
            "Nag-transfer na ako ng {amount} pero wala pa sa balance ko.",
            "Hindi pa pumapasok yung deposit ko po.",
            "Successful na sa bank pero wala pa rin sa account ko.",
            "Nag-send ako ng {asset} galing ibang wallet, 2 hours na wala pa.",
            "hello po, missing yung cash in ko, inattach ko na yung receipt",
            "Mali yung network na napili ko sa deposit, marerecover pa ba?",
        ),
    },
    "withdrawal_pending": {
        "en": (
            "My {asset} withdrawal has been pending for hours.",
            "Why is my withdrawal still processing?",
            "Withdrawal shows completed but my wallet has nothing, can you send the tx hash?",
            "I need my money today, when will the withdrawal go through?",
            "Cash out to my bank still pending since yesterday.",
            "withdrawal stuck, pls help",
        ),
        "th": (
            "ถอน {asset} ค้างมาหลายชั่วโมงแล้วครับ",
            "ทำไมการถอนยังไม่สำเร็จคะ",
            "ถอนเงินเข้าบัญชีธนาคารตั้งแต่เมื่อวาน ยังไม่เข้าเลย",
            "สถานะขึ้น completed แต่ wallet ยังไม่ได้รับ ขอ tx hash หน่อยครับ",
            "withdraw ค้าง ช่วยด้วยค่ะ",
        ),
        "vi": (
            "Lệnh rút {asset} của em bị treo mấy tiếng rồi.",
            "Sao rút tiền mãi chưa xong vậy ạ?",
            "Rút về ngân hàng từ hôm qua mà vẫn pending ạ.",
            "Báo completed rồi mà ví chưa nhận, cho em xin tx hash.",
            "withdraw bị kẹt, hỗ trợ em với",
        ),
        "id": (
            "Penarikan {asset} saya pending dari tadi.",
            "Kenapa withdraw saya masih diproses?",
            "Tarik dana ke rekening dari kemarin belum masuk juga.",
            "Status sudah completed tapi wallet belum terima, minta tx hash dong.",
            "wd nyangkut kak, tolong",
        ),
        "ms": (
            "Pengeluaran {asset} saya masih pending.",
            "Kenapa withdrawal saya lambat sangat?",
            "Withdraw ke akaun bank dari semalam tak masuk lagi.",
            "Status completed tapi wallet tak terima, boleh bagi tx hash?",
            "withdrawal stuck, tolong check",
        ),
        "fil": (
            "Pending pa rin yung withdrawal ko ng {asset}.",
            "Bakit ang tagal ng withdrawal ko?",
            "Kahapon pa ako nag-cash out sa bank, wala pa rin.",
            "Completed daw pero wala sa wallet ko, pa-send naman ng tx hash.",
            "stuck yung withdraw ko po, pa-check",
        ),
    },
    "kyc": {
        "en": (
            "My verification was rejected, what documents do you need?",
            "How long does KYC take?",
            "The selfie step keeps failing on my phone.",
            "Can I use my driving licence instead of a passport?",
            "How do I upgrade to a higher limit tier?",
        ),
        "th": (
            "ยืนยันตัวตนไม่ผ่าน ต้องใช้เอกสารอะไรบ้างคะ",
            "KYC ใช้เวลากี่วันครับ",
            "สแกนหน้าไม่ผ่านสักที ทำยังไงดีคะ",
            "ใช้ใบขับขี่แทนบัตรประชาชนได้ไหมครับ",
            "อยากเพิ่มวงเงิน ต้องยืนยันอะไรเพิ่มคะ",
        ),
        "vi": (
            "Xác minh danh tính bị từ chối, cần giấy tờ gì ạ?",
            "KYC mất bao lâu vậy ạ?",
            "Chụp selfie xác minh cứ bị lỗi hoài.",
            "Dùng bằng lái xe thay CCCD được không ạ?",
            "Em muốn nâng hạn mức thì cần xác minh thêm gì?",
        ),
        "id": (
            "Verifikasi KTP saya ditolak, harus bagaimana?",
            "Berapa lama proses KYC?",
            "Verifikasi selfie gagal terus kak.",
            "Bisa pakai SIM atau paspor, bukan KTP?",
            "Gimana caranya naik limit?",
        ),
        "ms": (
            "Pengesahan IC saya ditolak, perlu dokumen apa?",
            "Berapa lama proses KYC?",
            "Selfie verification asyik gagal je.",
            "Boleh guna lesen memandu ganti IC?",
            "Macam mana nak naikkan had transaksi?",
        ),
        "fil": (
            "Na-reject yung verification ko, anong ID ang kailangan?",
            "Gaano katagal ang KYC?",
            "Palaging failed yung selfie verification ko.",
            "Pwede ba ang driver's license imbes na passport?",
            "Paano mag-upgrade para tumaas ang limit?",
        ),
    },
    "account_locked_2fa": {
        "en": (
            "I can't log in, my account is locked.",
            "I changed phone and lost my 2FA codes.",
            "Not receiving the SMS OTP.",
            "Account locked after too many wrong passwords, please unlock.",
            "I got an email about a login I did not make, please freeze my account.",
        ),
        "th": (
            "เข้าสู่ระบบไม่ได้ บัญชีถูกล็อกค่ะ",
            "เปลี่ยนมือถือแล้ว OTP ไม่เข้าครับ",
            "ไม่ได้รับ SMS OTP ค่ะ",
            "ใส่รหัสผิดหลายครั้ง บัญชีโดนล็อก ช่วยปลดล็อกด้วยครับ",
            "มีอีเมลแจ้ง login ที่ไม่ใช่ฉัน ช่วยระงับบัญชีด่วนค่ะ",
        ),
        "vi": (
            "Em không đăng nhập được, tài khoản bị khóa.",
            "Em đổi điện thoại nên mất mã 2FA.",
            "Không nhận được mã OTP qua SMS ạ.",
            "Nhập sai mật khẩu nhiều lần bị khóa, mở giúp em.",
            "Có email báo đăng nhập lạ không phải em, khóa tài khoản giúp em.",
        ),
        "id": (
            "Akun saya terkunci, tidak bisa login.",
            "Ganti HP, kode 2FA hilang.",
            "OTP SMS tidak masuk-masuk.",
            "Salah password berkali-kali jadi terkunci, tolong dibuka.",
            "Ada email login yang bukan saya, tolong bekukan akun saya.",
        ),
        "ms": (
            "Akaun saya dikunci, tak boleh log masuk.",
            "Tukar telefon, kod 2FA hilang.",
            "Tak dapat OTP SMS.",
            "Salah password banyak kali, akaun kena lock. Tolong unlock.",
            "Dapat e-mel login yang bukan saya, tolong freeze akaun.",
        ),
        "fil": (
            "Na-lock yung account ko, hindi ako maka-login.",
            "Nagpalit ako ng phone, wala na yung 2FA ko.",
            "Hindi dumarating yung OTP sa SMS.",
            "Na-lock dahil mali ang password ko, paki-unlock po.",
            "May email na may nag-login na hindi ako, paki-freeze po ang account.",
        ),
    },
    "p2p_dispute": {
        "en": (
            "The buyer marked the order paid but I received nothing.",
            "Seller did not release after I paid.",
            "The payment came from a different name than the buyer, what should I do?",
            "My bank froze my account after a P2P sale, please help.",
            "Order was cancelled but I already transferred.",
        ),
        "th": (
            "ผู้ซื้อกดว่าจ่ายแล้วแต่เงินไม่เข้า",
            "จ่ายเงินแล้วแต่ผู้ขายไม่ปล่อยเหรียญ",
            "ชื่อผู้โอนไม่ตรงกับผู้ซื้อ ต้องทำยังไงคะ",
            "ขาย P2P แล้วบัญชีธนาคารโดนอายัด ช่วยด้วยครับ",
            "order ถูกยกเลิกแต่โอนเงินไปแล้วค่ะ",
        ),
        "vi": (
            "Người mua bấm đã thanh toán nhưng em chưa nhận tiền.",
            "Em chuyển tiền rồi mà người bán không nhả coin.",
            "Tên người chuyển khác tên người mua, em phải làm sao?",
            "Bán P2P xong tài khoản ngân hàng bị phong tỏa, giúp em với.",
            "Order bị hủy mà em chuyển khoản rồi.",
        ),
        "id": (
            "Pembeli bilang sudah bayar tapi dana belum masuk.",
            "Sudah bayar tapi seller tidak release.",
            "Nama pengirim beda dengan nama buyer, saya harus gimana?",
            "Rekening saya diblokir bank setelah jual P2P, tolong.",
            "Order dibatalkan padahal saya sudah transfer.",
        ),
        "ms": (
            "Pembeli kata dah bayar tapi duit tak masuk.",
            "Dah bayar tapi penjual tak lepaskan coin.",
            "Nama pembayar lain dari nama buyer, apa patut saya buat?",
            "Akaun bank saya kena freeze lepas jual P2P, tolong.",
            "Order cancel tapi saya dah transfer.",
        ),
        "fil": (
            "Sabi ng buyer bayad na pero wala akong natanggap.",
            "Nagbayad na ako pero hindi nire-release ng seller.",
            "Iba yung pangalan ng nagbayad sa buyer, ano gagawin ko?",
            "Na-freeze yung bank account ko pagkatapos ng P2P sale, tulong po.",
            "Na-cancel yung order pero nakapag-transfer na ako.",
        ),
    },
    "scam_report": {
        "en": (
            "Someone from your 'support' asked for my OTP, is this a scam?",
            "I think I was scammed.",
            "I sent USDT to an address from a Telegram group and now they block me.",
            "Is this website yours? It looks like your login page.",
            "Someone called me saying my account will be closed unless I move my coins.",
        ),
        "th": (
            "มีคนอ้างเป็นเจ้าหน้าที่ขอ OTP ค่ะ",
            "คิดว่าโดนหลอกครับ",
            "โอน USDT ให้คนในกลุ่ม Telegram แล้วโดนบล็อกค่ะ",
            "เว็บนี้ใช่ของบริษัทไหมครับ หน้าตาเหมือนหน้า login เลย",
            "มีคนโทรมาบอกว่าบัญชีจะถูกปิด ให้ย้ายเหรียญออก",
        ),
        "vi": (
            "Có người tự xưng nhân viên hỗ trợ xin mã OTP.",
            "Em nghĩ mình bị lừa rồi.",
            "Em gửi USDT cho người trong nhóm Telegram xong bị chặn luôn.",
            "Trang web này có phải của sàn không ạ? Nhìn giống trang đăng nhập.",
            "Có người gọi bảo tài khoản sẽ bị khóa nếu không chuyển coin đi.",
        ),
        "id": (
            "Ada yang ngaku CS minta kode OTP saya.",
            "Sepertinya saya kena tipu.",
            "Saya kirim USDT ke orang dari grup Telegram, sekarang saya diblokir.",
            "Ini website resmi bukan? Mirip halaman login kalian.",
            "Ada yang telepon bilang akun saya mau ditutup kalau koin tidak dipindah.",
        ),
        "ms": (
            "Ada orang mengaku staf minta OTP saya.",
            "Rasanya saya kena scam.",
            "Saya hantar USDT kepada orang dalam group Telegram, sekarang dia block saya.",
            "Website ni betul ke? Nampak sama macam page login.",
            "Ada orang call kata akaun akan ditutup kalau tak pindah coin.",
        ),
        "fil": (
            "May nagpanggap na support at humingi ng OTP ko.",
            "Parang na-scam ako.",
            "Nag-send ako ng USDT sa taga-Telegram group, ngayon blocked na ako.",
            "Sa inyo ba itong website? Kamukha ng login page niyo.",
            "May tumawag, isasara raw ang account ko kung hindi ko ililipat ang coins.",
        ),
    },
    "fees": {
        "en": (
            "Why was the withdrawal fee so high?",
            "What is the trading fee for USDT?",
            "I was charged twice for one trade.",
            "Why did I get less than the price shown?",
            "Is there a fee for bank deposits?",
        ),
        "th": (
            "ค่าธรรมเนียมถอนแพงจังครับ",
            "ค่าธรรมเนียมเทรดเท่าไหร่คะ",
            "โดนหักค่าธรรมเนียมสองรอบค่ะ",
            "ทำไมได้น้อยกว่าราคาที่แสดงครับ",
            "ฝากเงินผ่านธนาคารมีค่าธรรมเนียมไหมคะ",
        ),
        "vi": (
            "Sao phí rút cao vậy ạ?",
            "Phí giao dịch USDT là bao nhiêu?",
            "Em bị trừ phí hai lần cho một lệnh.",
            "Sao nhận được ít hơn giá hiển thị vậy ạ?",
            "Nạp qua ngân hàng có mất phí không ạ?",
        ),
        "id": (
            "Kenapa biaya penarikan mahal?",
            "Berapa fee trading USDT?",
            "Kena potong fee dua kali untuk satu order.",
            "Kok dapatnya lebih sedikit dari harga yang ditampilkan?",
            "Deposit via bank ada biaya admin?",
        ),
        "ms": (
            "Kenapa caj pengeluaran mahal?",
            "Berapa fi dagangan USDT?",
            "Kena caj dua kali untuk satu trade.",
            "Kenapa dapat kurang dari harga yang ditunjuk?",
            "Deposit melalui bank ada caj tak?",
        ),
        "fil": (
            "Bakit ang mahal ng withdrawal fee?",
            "Magkano ang trading fee sa USDT?",
            "Dalawang beses akong na-charge sa isang trade.",
            "Bakit mas mababa ang natanggap ko kaysa sa price na pinakita?",
            "May fee ba ang bank deposit?",
        ),
    },
    "other": {
        "en": (
            "How do I change my registered e-mail?",
            "Can I get a statement for my tax filing?",
            "How do I close my account?",
            "The app keeps crashing after the update.",
            "How do I change my registered phone number?",
        ),
        "th": (
            "เปลี่ยนอีเมลได้อย่างไรคะ",
            "ขอรายการเดินบัญชีได้ไหมครับ",
            "ต้องการปิดบัญชีค่ะ",
            "แอปเด้งออกหลังอัปเดตครับ",
            "เปลี่ยนเบอร์โทรที่ลงทะเบียนไว้ยังไงคะ",
        ),
        "vi": (
            "Làm sao đổi email đăng ký ạ?",
            "Cho em xin sao kê giao dịch.",
            "Em muốn đóng tài khoản.",
            "App cứ bị văng sau khi update.",
            "Đổi số điện thoại đăng ký thế nào ạ?",
        ),
        "id": (
            "Bagaimana cara ganti email?",
            "Bisa minta laporan transaksi?",
            "Saya mau tutup akun.",
            "Aplikasi force close terus setelah update.",
            "Cara ganti nomor HP yang terdaftar?",
        ),
        "ms": (
            "Macam mana nak tukar e-mel?",
            "Boleh dapat penyata transaksi?",
            "Saya nak tutup akaun.",
            "App asyik crash lepas update.",
            "Macam mana nak tukar nombor telefon berdaftar?",
        ),
        "fil": (
            "Paano magpalit ng email?",
            "Pwede bang makahingi ng statement?",
            "Gusto ko pong i-close ang account ko.",
            "Nagka-crash yung app after ng update.",
            "Paano palitan ang registered mobile number?",
        ),
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
